package core

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
)

// NewRun describes the run a header asks for (run.json's contents, in
// proto/record), with secrets taken out of its source.
func NewRun(hdr *pb.StreamHeader, model record.Model) record.Run {
	o := hdr.GetOptions()
	classes := slices.Clone(o.GetClasses())
	slices.Sort(classes)
	return record.Run{
		RunID: hdr.GetRunId(), Started: time.Now().UTC(),
		SourceSpec: record.RedactSource(hdr.GetSource()), SourceFingerprint: hdr.GetSourceFingerprint(),
		Live: hdr.GetLive(), FrameCount: hdr.GetFrameCount(), Model: model,
		Options: record.RunOptions{
			Conf: o.GetConf(), Classes: classes,
			SaveEvery: max(o.GetSaveEvery(), 1), SaveOnlyDetections: o.GetSaveOnlyDetections(),
			Track: o.GetTrack(), Zones: hdr.GetZones(),
		},
	}
}

// RunDifferences lists how the run asked for (next) differs from the one
// a stream's output holds (m), in words; none means next continues m. A
// live run continues only itself (the same run id); a finite source's run
// continues across run ids. Every store decides by it.
func RunDifferences(m, next record.Run) []string {
	if m.Live != next.Live {
		return []string{fmt.Sprintf("it holds a %s, this is a %s", sourceKind(m.Live), sourceKind(next.Live))}
	}
	if m.Live && m.RunID != next.RunID {
		return []string{fmt.Sprintf("it holds an earlier live run (started %s)", m.Started.Format(time.RFC3339))}
	}
	var d []string
	diff := func(what string, had, asked any) {
		if fmt.Sprint(had) != fmt.Sprint(asked) {
			d = append(d, fmt.Sprintf("%s %v there, %v now", what, had, asked))
		}
	}
	diff("source", fmt.Sprintf("%q", m.SourceSpec), fmt.Sprintf("%q", next.SourceSpec))
	diff("source content (or the client's --resize, --quality, --encoding)", m.SourceFingerprint, next.SourceFingerprint)
	diff("frame count", m.FrameCount, next.FrameCount)
	diff("model", m.Model.Kind, next.Model.Kind)
	diff("model file", m.Model.File+" sha256 "+m.Model.SHA256, next.Model.File+" sha256 "+next.Model.SHA256)
	diff("conf", m.Options.Conf, next.Options.Conf)
	diff("classes", m.Options.Classes, next.Options.Classes)
	diff("save_every", m.Options.SaveEvery, next.Options.SaveEvery)
	diff("save_only_detections", m.Options.SaveOnlyDetections, next.Options.SaveOnlyDetections)
	diff("track", m.Options.Track, next.Options.Track)
	diff("zones", orNone(m.Options.Zones), orNone(next.Options.Zones))
	return d
}

func sourceKind(live bool) string {
	if live {
		return "live run"
	}
	return "finite source's run"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// RunKey names the run of stream name in the ids of its events: what makes
// it the same run (see Differences), never when it started, so that the
// same file on the same name gives the same ids, resumed or not; a live
// run is its run id.
func RunKey(m record.Run, name string) string {
	k := struct {
		Name, RunID, Source, Fingerprint, Model, ModelSHA string
		Live                                              bool
		FrameCount                                        int64
		Options                                           record.RunOptions
	}{name, "", m.SourceSpec, m.SourceFingerprint, m.Model.Kind, m.Model.SHA256, m.Live, m.FrameCount, m.Options}
	if m.Live {
		k.RunID = m.RunID
	}
	b, _ := json.Marshal(k) // plain fields: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

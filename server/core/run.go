package core

import (
	"fmt"
	"slices"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
)

// Run is what a stream's output came from: enough to read
// the predictions later, and to tell whether a new call continues the same
// run. A folder holds one run.
type Run struct {
	RunID             string     `json:"run_id"`
	Started           time.Time  `json:"started"`
	Source            string     `json:"source"`
	SourceFingerprint string     `json:"source_fingerprint,omitempty"`
	Live              bool       `json:"live"`
	FrameCount        int64      `json:"frame_count,omitempty"`
	Model             Model      `json:"model"`
	Options           RunOptions `json:"options"`
	// SourceEnd, when set, says the source ended before the frames it
	// declared, as its client last reported; not part of what makes the
	// run the same run.
	SourceEnd *SourceEnd `json:"source_ended_early,omitempty"`
	// Video says the annotated frames are also written as H.264 segments
	// (video/ in the folder); not part of what makes the run the same run.
	Video bool `json:"video,omitempty"`
}

// SourceEnd is a client's report that its source stopped giving frames
// before the last one it declared (a video file cut short or damaged).
type SourceEnd struct {
	FramesRead     int64     `json:"frames_read"`
	FramesDeclared int64     `json:"frames_declared,omitempty"` // 0: unknown
	Reason         string    `json:"reason"`
	At             time.Time `json:"at"` // when the server was told
}

// Model names the model that processes the frames. Engine and
// Classes are for reading the output; a run is the same run on either
// engine.
type Model struct {
	Kind    string   `json:"kind"`
	File    string   `json:"file,omitempty"`
	SHA256  string   `json:"sha256,omitempty"`
	Engine  string   `json:"engine,omitempty"`
	Classes []string `json:"classes,omitempty"`
}

// RunOptions are the stream options that change the output.
type RunOptions struct {
	Conf               float32  `json:"conf"` // as asked; 0 = the model's threshold
	Classes            []string `json:"classes,omitempty"`
	SaveEvery          int32    `json:"save_every"`
	SaveOnlyDetections bool     `json:"save_only_detections,omitempty"`
	Track              bool     `json:"track,omitempty"`
}

// NewRun describes the run a header asks for, with secrets taken
// out of its source.
func NewRun(hdr *pb.StreamHeader, model Model) Run {
	o := hdr.GetOptions()
	classes := slices.Clone(o.GetClasses())
	slices.Sort(classes)
	return Run{
		RunID: hdr.GetRunId(), Started: time.Now().UTC(),
		Source: record.RedactSource(hdr.GetSource()), SourceFingerprint: hdr.GetSourceFingerprint(),
		Live: hdr.GetLive(), FrameCount: hdr.GetFrameCount(), Model: model,
		Options: RunOptions{
			Conf: o.GetConf(), Classes: classes,
			SaveEvery: max(o.GetSaveEvery(), 1), SaveOnlyDetections: o.GetSaveOnlyDetections(),
			Track: o.GetTrack(),
		},
	}
}

// Differences lists how the run asked for (next) differs from the one in
// the folder (m), in words; none means next continues m. A live run
// continues only itself (the same run id).
func (m Run) Differences(next Run) []string {
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
	diff("source", fmt.Sprintf("%q", m.Source), fmt.Sprintf("%q", next.Source))
	diff("source content (or the client's --resize, --quality, --encoding)", m.SourceFingerprint, next.SourceFingerprint)
	diff("frame count", m.FrameCount, next.FrameCount)
	diff("model", m.Model.Kind, next.Model.Kind)
	diff("model file", m.Model.File+" sha256 "+m.Model.SHA256, next.Model.File+" sha256 "+next.Model.SHA256)
	diff("conf", m.Options.Conf, next.Options.Conf)
	diff("classes", m.Options.Classes, next.Options.Classes)
	diff("save_every", m.Options.SaveEvery, next.Options.SaveEvery)
	diff("save_only_detections", m.Options.SaveOnlyDetections, next.Options.SaveOnlyDetections)
	diff("track", m.Options.Track, next.Options.Track)
	return d
}

func sourceKind(live bool) string {
	if live {
		return "live run"
	}
	return "finite source's run"
}

package capturecmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/stream"
)

// printer writes results to out (a line each, text or JSON) and the
// summary to errOut. Used from one goroutine.
type printer struct {
	out, errOut io.Writer
	json, quiet bool
}

func newPrinter(out, errOut io.Writer, asJSON, quiet bool) *printer {
	return &printer{out: out, errOut: errOut, json: asJSON, quiet: quiet}
}

// resultLine is the --json form of one result: the predictions.jsonl
// record with the capture-to-result latency.
type resultLine struct {
	record.Frame
	LatencyMS float64          `json:"latency_ms"`
	Events    []*pb.CountEvent `json:"events,omitempty"` // the frame's facts (--zones)
}

func (p *printer) result(r *pb.FrameResult, latency time.Duration) {
	if p.quiet {
		return
	}
	ms := float64(latency.Microseconds()) / 1000
	if p.json {
		b, _ := json.Marshal(resultLine{Frame: record.FromResult(r), LatencyMS: ms, Events: r.GetEvents()})
		fmt.Fprintf(p.out, "%s\n", b)
		return
	}
	if r.GetError() != "" {
		fmt.Fprintf(p.out, "frame %6d  error: %s\n", r.GetSeq(), r.GetError())
		return
	}
	var dets []string
	for _, d := range r.GetDetections() {
		b := d.GetBox()
		dets = append(dets, fmt.Sprintf("%s %.2f [%.0f,%.0f %.0fx%.0f]", d.GetLabel(), d.GetScore(), b.GetX(), b.GetY(), b.GetWidth(), b.GetHeight()))
	}
	what := "nothing found"
	if len(dets) > 0 {
		what = strings.Join(dets, ", ")
	}
	for _, e := range r.GetEvents() {
		what += fmt.Sprintf("; %s %s %s #%d", e.GetKind(), e.GetRule(), e.GetDirection(), e.GetTrackId())
	}
	fmt.Fprintf(p.out, "frame %6d  %7.1f ms  %s\n", r.GetSeq(), ms, what)
}

// SummaryJSON is the --json form of the summary, printed on stderr as {"summary": ...}.
type SummaryJSON struct {
	Name        string           `json:"name,omitempty"`
	Resumed     bool             `json:"resumed"`
	Read        int64            `json:"read"`
	Sent        int64            `json:"sent"`
	Processed   int64            `json:"processed"`
	Dropped     int64            `json:"dropped"`
	Superseded  int64            `json:"dropped_by_server"`
	Failed      int64            `json:"failed"`
	Invalid     int64            `json:"failed_invalid"`
	NotRecorded int64            `json:"failed_not_recorded"`
	Skipped     int64            `json:"skipped_as_done"`
	Resent      int64            `json:"resent"`
	Shared      int64            `json:"sent_through_shared_memory"`
	SharedErr   string           `json:"shared_memory_error,omitempty"`
	Reconnects  int64            `json:"reconnects"`
	Gap         int64            `json:"live_gap"`
	SourceRecon int64            `json:"source_reconnects"`
	SourceOut   float64          `json:"source_outage_seconds"`
	Tracks      map[string]int64 `json:"tracks,omitempty"`
	FPS         float64          `json:"fps"`
	P50MS       float64          `json:"latency_p50_ms"`
	P95MS       float64          `json:"latency_p95_ms"`
	Seconds     float64          `json:"seconds"`
}

func (p *printer) summary(s *stream.Summary) {
	if p.json {
		b, _ := json.Marshal(map[string]SummaryJSON{"summary": {
			Name: s.Ready.GetName(), Resumed: s.Ready.GetResumed(),
			Read: s.Read, Sent: s.Sent, Processed: s.Processed, Dropped: s.Dropped + s.Superseded, Superseded: s.Superseded, Failed: s.Failed,
			Invalid: s.Invalid, NotRecorded: s.NotRecorded, Skipped: s.Skipped, Resent: s.Resent,
			Shared: s.SharedFrames, SharedErr: errText(s.SharedMemoryErr),
			Reconnects: s.Reconnects, Gap: s.Gap, Tracks: s.Server.GetTracks(),
			SourceRecon: s.SourceReconnects, SourceOut: s.SourceOutage.Seconds(),
			FPS:     s.FPS(),
			P50MS:   float64(s.Latency.Quantile(0.5).Microseconds()) / 1000,
			P95MS:   float64(s.Latency.Quantile(0.95).Microseconds()) / 1000,
			Seconds: s.Duration.Seconds(),
		}})
		fmt.Fprintf(p.errOut, "%s\n", b)
		return
	}
	fmt.Fprintf(p.errOut, "summary: %s\n", s)
}

// errText is err's text, empty for none.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

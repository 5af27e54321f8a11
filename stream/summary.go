package stream

import (
	"fmt"
	"sort"
	"strings"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream/histogram"
)

// Summary counts what happened to one stream on the client side.
type Summary struct {
	Live bool
	// Read frames from the source; Sent to the server; Processed and
	// Failed as the results said; Dropped replaced in the live mailbox
	// before they could be sent.
	Read, Sent, Processed, Failed, Dropped int64
	// Superseded live frames the server dropped (FRAME_DROPPED): a newer
	// frame of the stream took their place while they waited for a
	// worker. Neither processed nor failed; never sent again.
	Superseded int64
	// Of Failed: Invalid frames the server could not read (recorded as
	// failed, final) and NotRecorded frames the server failed to process
	// or record (a resume sends them again).
	Invalid, NotRecorded int64
	// Reconnects after a broken call; Resent frames sent again because
	// their result was lost with a call; Skipped frames the server already
	// had; Gap live frames lost with a broken call.
	Reconnects, Resent, Skipped, Gap int64
	// SourceReconnects counts the times a live source was lost and came
	// back (ClientConfig.SourceNews); SourceOutage is how long it was
	// lost in all.
	SourceReconnects int64
	SourceOutage     time.Duration
	// SharedFrames of Sent went through memory shared with the server;
	// SharedMemoryErr says why memory it offered was not used, last time.
	SharedFrames    int64
	SharedMemoryErr error
	Duration        time.Duration
	// Latency is capture-to-result time of every result.
	Latency histogram.Histogram
	// Ready is the server's answer to the header; Server its closing
	// summary (nil when the call did not complete).
	Ready  *pb.StreamReady
	Server *pb.StreamSummary
}

// count adds one result; false for a frame the server dropped, which is
// no result.
func (s *Summary) count(r *pb.FrameResult) bool {
	switch {
	case r.GetStatus() == pb.FrameStatus_FRAME_DROPPED:
		s.Superseded++
		return false
	case r.GetError() == "":
		s.Processed++
		return true
	case r.GetStatus() == pb.FrameStatus_FRAME_NOT_RECORDED:
		s.NotRecorded++
	default:
		s.Invalid++
	}
	s.Failed++
	return true
}

// FPS returns results received per second of the run.
func (s *Summary) FPS() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Processed+s.Failed) / s.Duration.Seconds()
}

// String is a one-line human summary.
func (s *Summary) String() string {
	line := fmt.Sprintf("frames read %d, sent %d, processed %d, dropped %d, failed %d; %.1f fps; latency p50 %s p95 %s",
		s.Read, s.Sent, s.Processed, s.Dropped+s.Superseded, s.Failed, s.FPS(),
		s.Latency.Quantile(0.50).Round(100*time.Microsecond), s.Latency.Quantile(0.95).Round(100*time.Microsecond))
	return line + s.superseded() + s.failures() + s.resumes() + s.sourceOutages() + s.tracks() + s.sharedRefused()
}

// sharedRefused is String's part on shared memory offered and not used.
func (s *Summary) sharedRefused() string {
	if s.SharedMemoryErr == nil {
		return ""
	}
	return fmt.Sprintf("; frames sent through the socket: %v", s.SharedMemoryErr)
}

// superseded is String's part on live frames the server dropped, if any.
func (s *Summary) superseded() string {
	if s.Superseded == 0 {
		return ""
	}
	return fmt.Sprintf(" (by the server %d)", s.Superseded)
}

// sourceOutages is String's part on a live source lost and back, if it was.
func (s *Summary) sourceOutages() string {
	if s.SourceReconnects == 0 {
		return ""
	}
	return fmt.Sprintf("; source reconnects %d, %s without frames", s.SourceReconnects, s.SourceOutage.Round(time.Millisecond))
}

// failures is String's part on failed frames, if any.
func (s *Summary) failures() string {
	if s.Failed == 0 {
		return ""
	}
	return fmt.Sprintf(" (unreadable %d, not recorded %d)", s.Invalid, s.NotRecorded)
}

// resumes is String's part on reconnections and skipped frames, if any.
func (s *Summary) resumes() string {
	if s.Reconnects == 0 && s.Skipped == 0 {
		return ""
	}
	return fmt.Sprintf("; reconnects %d, resent %d, skipped as done %d, live gap %d", s.Reconnects, s.Resent, s.Skipped, s.Gap)
}

// tracks is String's part on the server's distinct tracks, if any.
func (s *Summary) tracks() string {
	if t := tracksText(s.Server.GetTracks()); t != "" {
		return "; distinct tracks " + t
	}
	return ""
}

// tracksText lists distinct tracks per label, most first, e.g.
// "person 12, car 3"; empty when there are none.
func tracksText(tracks map[string]int64) string {
	labels := byCount(tracks)
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = fmt.Sprintf("%s %d", l, tracks[l])
	}
	return strings.Join(parts, ", ")
}

// byCount lists the labels of tracks, most tracks first, then by name.
func byCount(tracks map[string]int64) []string {
	labels := make([]string, 0, len(tracks))
	for l := range tracks {
		labels = append(labels, l)
	}
	sort.Slice(labels, func(i, j int) bool {
		a, b := labels[i], labels[j]
		return tracks[a] > tracks[b] || tracks[a] == tracks[b] && a < b
	})
	return labels
}

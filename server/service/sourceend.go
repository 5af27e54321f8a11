package service

import (
	"fmt"
	"time"
	"unicode/utf8"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
)

// maxEndReason is the most bytes of a client's reason kept in the manifest.
const maxEndReason = 1024

// endRecorder is an Output that records how its run's source ended early.
type endRecorder interface {
	RecordSourceEnd(end record.SourceEnd) error
}

// EndSource records, with the run, that the client's source ended before
// the frames it declared. An output that keeps no such record ignores it.
func (s *session) EndSource(end *pb.SourceEnd) error {
	rec, ok := s.out.(endRecorder)
	if !ok {
		return nil
	}
	reason := end.GetReason()
	if len(reason) > maxEndReason {
		n := maxEndReason
		for n > 0 && !utf8.RuneStart(reason[n]) {
			n-- // cut before a rune, not in it
		}
		reason = reason[:n] + "..."
	}
	err := rec.RecordSourceEnd(record.SourceEnd{
		FramesRead: end.GetFramesRead(), FramesDeclared: end.GetFramesDeclared(),
		Reason: reason, At: time.Now().UTC(),
	})
	if err != nil {
		return toStatus(fmt.Errorf("record that the source ended early: %w", err))
	}
	return nil
}

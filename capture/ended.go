package capture

import (
	"fmt"
	"io"

	framewirepb "github.com/framewire/framewire/proto"
)

// EndedEarlyError is the error of a finite source that stopped giving
// frames before the last one it declared: a video file cut short, data
// its decoder cannot read on from, or a picture size change nothing here
// can follow. It wraps io.ErrUnexpectedEOF (never io.EOF: the source did
// not complete) and is sticky like any end of a source.
type EndedEarlyError struct {
	// Source names the source as errors do, e.g. `video file "x.mp4"`.
	Source string
	// Read is how many frames were read (frames 0..Read-1 are good).
	Read int64
	// Declared is how many frames the source declares; 0 when unknown.
	Declared int64
	// Reason says why reading stopped, in words.
	Reason string
}

func (e *EndedEarlyError) Error() string {
	if e.Declared > 0 {
		return fmt.Sprintf("%s: read %d of the %d frames it declares, then %s", e.Source, e.Read, e.Declared, e.Reason)
	}
	return fmt.Sprintf("%s: read %d frames, then %s", e.Source, e.Read, e.Reason)
}

// Unwrap makes the error match io.ErrUnexpectedEOF.
func (e *EndedEarlyError) Unwrap() error { return io.ErrUnexpectedEOF }

// SourceEnd is the early end as the client reports it to the server,
// which records it with the run.
func (e *EndedEarlyError) SourceEnd() *framewirepb.SourceEnd {
	return &framewirepb.SourceEnd{FramesRead: e.Read, FramesDeclared: e.Declared, Reason: e.Reason}
}

// endOfFile is how a video file whose reader gave no further frame
// ends: io.EOF when it gave every frame it declares (or declares none),
// else an *EndedEarlyError. A frame count that is only the backend's
// estimate (duration times frame rate) can exceed the frames there are;
// the position of the last frame read tells those files apart: one that
// reached its declared duration is complete.
func (s *VideoSource) endOfFile() error {
	declared := s.info.FrameCount
	if declared == 0 || s.read >= declared || s.reachedDuration(declared) {
		return io.EOF
	}
	return &EndedEarlyError{Source: s.spec.name(), Read: s.read, Declared: declared, Reason: s.shortReason(declared)}
}

// reachedDuration says whether the last frame read is the last of
// declared frames by its position: within half a frame of the end.
func (s *VideoSource) reachedDuration(declared int64) bool {
	if s.posMs < 0 || s.info.FPS <= 0 {
		return false
	}
	frameMs := 1000 / s.info.FPS
	return s.posMs+1.5*frameMs >= float64(declared)*frameMs
}

// shortReason says why a file gave fewer frames than it declares, with
// the position reached when it is known.
func (s *VideoSource) shortReason(declared int64) string {
	const why = "no more could be read: the file is cut short, or damaged from there on"
	if s.posMs < 0 || s.info.FPS <= 0 {
		return why
	}
	return fmt.Sprintf("%s (reached %.2f s of %.2f s)", why, (s.posMs+1000/s.info.FPS)/1000, float64(declared)/s.info.FPS)
}

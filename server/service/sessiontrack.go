package service

import (
	"fmt"
	"unicode/utf8"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
)

// maxSourceName is the longest Frame source name accepted, in bytes.
const maxSourceName = 1024

// echoFrameMeta echoes f's source name and position in r; a source name
// that is too long makes the frame bad.
func echoFrameMeta(f *pb.Frame, r *pb.FrameResult) error {
	name := f.GetSourceName()
	if len(name) > maxSourceName || !utf8.ValidString(name) {
		return fmt.Errorf("%w: source name of %d bytes (the limit is %d, UTF-8)", core.ErrBadFrame, len(name), maxSourceName)
	}
	r.SourceName, r.PositionUs = name, f.PositionUs
	return nil
}

// nameFile starts r's error with the file the frame came from, if known.
func nameFile(r *pb.FrameResult) {
	if r.GetError() != "" && r.GetSourceName() != "" {
		r.Error = r.GetSourceName() + ": " + r.GetError()
	}
}

// finishTracked gives the detections of r's frame their track ids, then
// draws, encodes and writes its image: the work process leaves to Commit,
// which runs in frame order, on a tracked stream. A failed frame is not
// tracked (a gap, as a dropped frame). A failure to write leaves nothing
// recorded.
func (s *session) finishTracked(r *pb.FrameResult) error {
	h, ok := s.tracked.Take(r.GetSeq())
	if !ok {
		return nil
	}
	if r.GetError() != "" {
		return h.Pic.Close()
	}
	s.tracked.Assign(r.GetSeq(), h.Dets)
	for i, d := range h.Dets {
		r.Detections[i].TrackId = d.TrackID
	}
	if s.counted != nil {
		s.counted.Peek(r)
		if o, ok := h.Pic.(core.Overlaid); ok {
			o.SetOverlay(s.counted.Overlay())
		}
	}
	if err := s.annotate(h.Pic, h.Dets, r); err != nil {
		r.OutputPath, r.AnnotatedJpeg = "", nil
		return err
	}
	return nil
}

package capture

import "github.com/framewire/framewire/capture/videofile"

// EndedEarlyError is the error of a finite source that stopped giving
// frames before the last one it declared (see videofile.EndedEarlyError).
type EndedEarlyError = videofile.EndedEarlyError

// endOfFile is io.EOF, or an *EndedEarlyError for a file cut short.
func (s *VideoReader) endOfFile() error {
	return videofile.End(s.spec.name(), videofile.Reading{
		Read: s.read, Declared: s.info.FrameCount, LastMs: s.posMs, FPS: s.info.FPS,
	})
}

// readFileFrame reads the next frame into s.frame, and moves a video
// file to GStreamer when FFmpeg's reader may have left the frame
// unconverted: its last row repeats the frame before's (see package
// videofile).
func (s *VideoReader) readFileFrame() (ok bool, err error) {
	if !s.readFrame() {
		return false, nil
	}
	if s.spec.kind != KindFile || s.followed {
		return true, nil
	}
	repeated := s.last.Same(s.frame)
	s.last.Keep(s.frame)
	if !repeated {
		return true, nil
	}
	return true, s.follow()
}

// follow reads the frame just read, and the rest, through GStreamer
// (positions carried on from FFmpeg's for that frame at the frame rate); when it
// cannot, reading stops before that frame.
func (s *VideoReader) follow() error {
	at := s.read - 1
	vc, err := videofile.OpenGStreamerAt(s.spec.path, at, &s.frame)
	if err != nil {
		s.read = at
		return videofile.CannotFollow(s.spec.name(), at, s.info.FrameCount, err)
	}
	// Closing an OpenCV capture cannot fail.
	_ = s.vc.Close()
	s.followedAt, s.followedMs = at, s.posMs
	s.vc, s.followed = vc, true // the frame read again keeps its position
	return nil
}

package capture

import (
	"bytes"
	"fmt"

	"gocv.io/x/gocv"
)

// A video whose picture changes size mid-stream (joined clips, a camera
// recording that switched resolution) defeats OpenCV 4.6's FFmpeg reader:
// it keeps converting to the first picture size, so a larger picture
// leaves the whole output as it was (a copy of the previous frame) and a
// smaller one leaves the rows below its height as they were. Its
// GStreamer reader renegotiates and gives every frame at its own size,
// but costs about twice the CPU a frame (see docs) and has no reliable
// positions, so video files are read through FFmpeg and a file moves to
// GStreamer, once, at the first frame whose last row is byte for byte the
// previous frame's: the sign of a frame left unconverted. A picture that
// truly repeats its last row (a letterbox bar, a still scene) moves too;
// it only costs speed.

// readFileFrame reads the next frame of a video file into s.frame, keeping
// the previous one in s.prev, and moves to GStreamer when the frame may be
// one FFmpeg's reader left unconverted. ok is false at the end of the file.
func (s *VideoSource) readFileFrame() (ok bool, err error) {
	s.frame, s.prev = s.prev, s.frame
	if !s.readFrame() {
		return false, nil
	}
	if s.spec.kind != KindFile || s.followed || !sameLastRow(s.frame, s.prev) {
		return true, nil
	}
	return true, s.follow()
}

// sameLastRow says whether a and b are the same size and their last rows
// hold the same bytes.
func sameLastRow(a, b gocv.Mat) bool {
	if a.Empty() || a.Rows() != b.Rows() || a.Cols() != b.Cols() || a.Type() != b.Type() ||
		!a.IsContinuous() || !b.IsContinuous() {
		return false
	}
	pa, errA := a.DataPtrUint8()
	pb, errB := b.DataPtrUint8()
	if errA != nil || errB != nil {
		return false
	}
	row := len(pa) / a.Rows()
	return len(pa) == len(pb) && bytes.Equal(pa[len(pa)-row:], pb[len(pb)-row:])
}

// follow reopens the file with GStreamer, moves it to the frame just read
// and reads that frame again through it; from then on s reads GStreamer's
// frames, each at its own size, without positions. It fails when
// GStreamer cannot open the file or reach the frame: the frame cannot be
// trusted, and the file cannot be read on at its true sizes.
func (s *VideoSource) follow() error {
	at := s.read - 1
	vc, err := gocv.VideoCaptureFileWithAPI(s.spec.path, gocv.VideoCaptureGstreamer)
	if err != nil || !vc.IsOpened() {
		if vc != nil {
			vc.Close()
		}
		return s.cannotFollow(at, "GStreamer could not open it")
	}
	if !grabTo(vc, at) || !vc.Read(&s.frame) || s.frame.Empty() {
		vc.Close()
		return s.cannotFollow(at, "GStreamer could not read it that far")
	}
	// Closing an OpenCV capture cannot fail.
	_ = s.vc.Close()
	s.vc, s.followed, s.posMs = vc, true, -1
	return nil
}

// grabTo moves vc, just opened, to frame n without decoding it into an
// image, and says whether it got there.
func grabTo(vc *gocv.VideoCapture, n int64) bool {
	vc.Grab(int(n))
	return vc.Get(gocv.VideoCapturePosFrames) == float64(n)
}

// cannotFollow is the error of a file whose frame at may have a new size
// that no reader here can give: reading stops before that frame.
func (s *VideoSource) cannotFollow(at int64, why string) error {
	s.read = at
	return &EndedEarlyError{
		Source: s.spec.name(), Read: at, Declared: s.info.FrameCount,
		Reason: fmt.Sprintf("frame %d looks left over from frame %d, the sign of a picture size change "+
			"OpenCV's FFmpeg reader cannot follow, and %s (GStreamer reads such files with "+
			"gstreamer1.0-libav and gstreamer1.0-plugins-bad installed)", at, at-1, why),
	}
}

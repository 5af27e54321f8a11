// Package videofile holds what reading a video file to its true end takes
// beyond OpenCV's VideoCapture: telling a file that ends early from one
// that ends where it should, and following a picture size change that
// OpenCV 4.6's FFmpeg reader cannot follow.
//
// A video whose picture changes size mid-stream (joined clips, a camera
// recording that switched resolution) defeats that reader: it keeps
// converting to the first picture size, so a larger picture leaves the
// whole output as it was (a copy of the previous frame) and a smaller one
// leaves the rows below its height as they were. Its GStreamer reader
// renegotiates and gives every frame at its own size, but costs about
// twice the CPU a frame and has no reliable positions (the reader carries
// FFmpeg's last one on at the frame rate). So video files are
// read through FFmpeg, and a file moves to GStreamer, once, at the first
// frame whose last row is byte for byte the previous frame's (LastRow):
// the sign of a frame left unconverted. A picture that truly repeats its
// last row (a letterbox bar, a still scene) moves too; it only costs speed.
package videofile

import (
	"bytes"
	"fmt"
	"io"

	"gocv.io/x/gocv"

	framewirepb "github.com/framewire/framewire/proto"
)

// EndedEarlyError is the error of a finite source that stopped giving
// frames before the last one it declared: a video file cut short, data
// its decoder cannot read on from, or a picture size change nothing here
// can follow. It wraps io.ErrUnexpectedEOF (never io.EOF: the source did
// not complete).
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

// Reading is where a video file's reader stopped: the frames it read,
// the frames the file declares (0: unknown), the position of the last
// frame read in ms (negative: unknown) and the frame rate (0: unknown).
type Reading struct {
	Read, Declared int64
	LastMs, FPS    float64
}

// End is how the file named source whose reader gave no further frame
// after r ends: io.EOF when it gave every frame it declares (or declares
// none), else an *EndedEarlyError. A frame count that is only the
// backend's estimate (duration times frame rate) can exceed the frames
// there are; the position of the last frame tells those files apart: one
// that reached its declared duration, within half a frame, is complete.
func End(source string, r Reading) error {
	if r.Declared == 0 || r.Read >= r.Declared || r.reachedDuration() {
		return io.EOF
	}
	return &EndedEarlyError{Source: source, Read: r.Read, Declared: r.Declared, Reason: r.shortReason()}
}

func (r Reading) positioned() bool { return r.LastMs >= 0 && r.FPS > 0 }

func (r Reading) reachedDuration() bool {
	frameMs := 1000 / r.FPS
	return r.positioned() && r.LastMs+1.5*frameMs >= float64(r.Declared)*frameMs
}

// shortReason says why a file gave fewer frames than it declares, with
// the position reached when it is known.
func (r Reading) shortReason() string {
	const why = "no more could be read: the file is cut short, or damaged from there on"
	if !r.positioned() {
		return why
	}
	return fmt.Sprintf("%s (reached %.2f s of %.2f s)", why, (r.LastMs+1000/r.FPS)/1000, float64(r.Declared)/r.FPS)
}

// LastRow is a copy of one frame's size, type and last row, to tell
// whether the next frame repeats it. The zero value holds no frame.
type LastRow struct {
	rows, cols int
	typ        gocv.MatType
	row        []byte
}

// Keep copies m's last row (reusing l's bytes); a frame that is empty or
// not continuous leaves l holding none.
func (l *LastRow) Keep(m gocv.Mat) {
	row, ok := lastRow(m)
	if !ok {
		l.rows = 0
		return
	}
	l.rows, l.cols, l.typ = m.Rows(), m.Cols(), m.Type()
	l.row = append(l.row[:0], row...)
}

// Same says whether m is the size and type of the frame kept and its
// last row holds the same bytes.
func (l *LastRow) Same(m gocv.Mat) bool {
	row, ok := lastRow(m)
	return ok && l.rows > 0 && m.Rows() == l.rows && m.Cols() == l.cols && m.Type() == l.typ && bytes.Equal(row, l.row)
}

// lastRow is m's last row of bytes, in place; false when m is empty or
// not continuous.
func lastRow(m gocv.Mat) ([]byte, bool) {
	if m.Empty() || !m.IsContinuous() {
		return nil, false
	}
	px, err := m.DataPtrUint8()
	if err != nil {
		return nil, false
	}
	n := len(px) / m.Rows()
	return px[len(px)-n:], true
}

// OpenGStreamerAt opens the file at path with GStreamer, moves it to
// frame n without decoding the frames before into images and reads frame
// n into frame. The caller owns the returned capture; on failure, the
// error says what GStreamer could not do.
func OpenGStreamerAt(path string, n int64, frame *gocv.Mat) (*gocv.VideoCapture, error) {
	vc, err := gocv.VideoCaptureFileWithAPI(path, gocv.VideoCaptureGstreamer)
	if err != nil || !vc.IsOpened() {
		vc.Close()
		return nil, fmt.Errorf("GStreamer could not open it")
	}
	vc.Grab(int(n))
	if vc.Get(gocv.VideoCapturePosFrames) != float64(n) || !vc.Read(frame) || frame.Empty() {
		vc.Close()
		return nil, fmt.Errorf("GStreamer could not read it that far")
	}
	return vc, nil
}

// CannotFollow is the error of the file named source whose frame at may
// have a new picture size that no reader here can give, for the reason
// why: reading stops before that frame.
func CannotFollow(source string, at, declared int64, why error) error {
	return &EndedEarlyError{
		Source: source, Read: at, Declared: declared,
		Reason: fmt.Sprintf("frame %d looks left over from frame %d, the sign of a picture size change "+
			"OpenCV's FFmpeg reader cannot follow, and %v (GStreamer reads such files with "+
			"gstreamer1.0-libav and gstreamer1.0-plugins-bad installed)", at, at-1, why),
	}
}

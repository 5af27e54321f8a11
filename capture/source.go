package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/capture/frames"
	"github.com/framewire/framewire/capture/lending"
	"github.com/framewire/framewire/capture/videofile"
)

// VideoReader reads the decoded frames of a webcam, a device, a video
// file, a URL or a GStreamer pipeline, through OpenCV's VideoCapture.
//
// A VideoReader owns an OpenCV capture and the Mat each frame is read
// into: one reused for every frame, or, when it is lent buffers
// (UseBuffers), a Mat over each frame's own buffer; Close releases them. Read, SkipTo and Close must not be
// called concurrently (one reader goroutine owns the source); Info may be
// called from any goroutine.
type VideoReader struct {
	spec sourceSpec
	info Info

	vc    *gocv.VideoCapture
	frame gocv.Mat          // last frame read; owned here
	last  videofile.LastRow // a video file's last row of the frame before
	lend  lending.Lender    // buffers lent for frames' pixels, if any

	read      int64     // frames read from the source so far
	posMs     float64   // position of the frame in s.frame in a video file, ms; -1 unknown
	pending   bool      // frame holds frame read-1, read by Open and not yet returned
	pendingAt time.Time // when the pending frame was read
	done      error     // sticky end-of-stream error (io.EOF for finite sources)
	closed    bool
	followed  bool // a video file moved to GStreamer to follow a picture size change
	// followedAt is the frame at which the file moved to GStreamer and
	// followedMs its position as FFmpeg gave it (negative: unknown); the
	// frames from there on are timed from it at the file's frame rate.
	followedAt int64
	followedMs float64
}

var _ frames.Reader = (*VideoReader)(nil)

// openVideo opens spec (see Open) and reads its first frame, which the
// first Read returns. The caller owns the returned VideoReader and must
// Close it.
func openVideo(spec string, opts Options) (*VideoReader, error) {
	sp, err := prepare(spec, opts)
	if err != nil {
		return nil, err
	}
	vc, err := openCapture(sp)
	if err != nil {
		return nil, err
	}
	s := newVideoReader(sp, vc)
	if err := s.readFirst(); err != nil {
		return nil, err
	}
	s.info = s.describe()
	return s, nil
}

// prepare parses spec and checks it and opts before anything is opened.
func prepare(spec string, opts Options) (sourceSpec, error) {
	sp, err := parseSpec(spec)
	if err != nil {
		return sourceSpec{}, err
	}
	if _, err := opts.normalize(); err != nil {
		return sourceSpec{}, fmt.Errorf("open %s: %w", sp.name(), err)
	}
	if err := checkLocal(sp); err != nil {
		return sourceSpec{}, err
	}
	return sp, nil
}

// newVideoReader is the source of sp read through vc, before its first
// frame.
func newVideoReader(sp sourceSpec, vc *gocv.VideoCapture) *VideoReader {
	return &VideoReader{spec: sp, vc: vc, frame: gocv.NewMat()}
}

// readFirst reads the first frame, which the first Read returns, and
// closes s when there is none.
func (s *VideoReader) readFirst() error {
	if !s.readFrame() {
		// Close of gocv objects cannot fail; the read failure is the news.
		_ = s.Close()
		return fmt.Errorf("open %s: OpenCV opened it but could not read a first frame (%s)", s.spec.name(), firstReadHint(s.spec.kind))
	}
	s.last.Keep(s.frame)
	s.pending, s.pendingAt = true, time.Now()
	return nil
}

// describe builds the Info of a freshly opened source whose first frame is in s.frame.
func (s *VideoReader) describe() Info {
	count := finite(s.vc.Get(gocv.VideoCaptureFrameCount))
	info := Info{
		Source: s.spec.raw,
		Kind:   s.spec.kind,
		FPS:    finite(s.vc.Get(gocv.VideoCaptureFPS)),
		Live:   s.live(count),
	}
	if !info.Live {
		info.FrameCount = int64(count)
	}
	info.Width, info.Height = s.frame.Cols(), s.frame.Rows()
	return info
}

// live says whether the source is live, given the frame count its backend
// reports.
func (s *VideoReader) live(count float64) bool {
	switch s.spec.kind {
	case KindFile:
		return false
	case KindURL:
		// RTSP is always live; an HTTP stream is live unless it has a length.
		return s.spec.rtsp || count < 1
	}
	return true
}

// finite returns v, or 0 when v is negative, NaN or infinite (what OpenCV
// backends report for unknown properties).
func finite(v float64) float64 {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// UseBuffers has each frame after the first read into a buffer lent by
// b, the size of the frame before it, and handed over as the Frame's
// Pixels (see frames.BufferUser). A frame that comes at another size or
// type is read into OpenCV's own memory and has no Pixels.
func (s *VideoReader) UseBuffers(b frames.Buffers) { s.lend.Buffers = b }

// Info describes the source; Width and Height are those of its first
// frame as read. It does not change after the source opened and is safe
// to call from any goroutine.
func (s *VideoReader) Info() Info { return s.info }

// Read returns the next frame, decoded into a Mat of the VideoReader's
// (see frames.Reader). Seq is the index of the frame as read from the
// source (0-based), At the time right after the read; a video file's
// frame carries its position.
//
// Read returns io.EOF at the end of a finite source, or an *EndedEarlyError
// when a video file ends before the frames it declares or has a frame no
// reader here can give at its own size. When a live source stops
// delivering frames it returns an error wrapping io.ErrUnexpectedEOF. Both are
// sticky. A read already in progress inside OpenCV is not interrupted.
func (s *VideoReader) Read(ctx context.Context) (frames.Frame, error) {
	if s.closed {
		return frames.Frame{}, fmt.Errorf("next frame of %s: source is closed", s.spec.name())
	}
	if err := ctx.Err(); err != nil {
		return frames.Frame{}, err
	}
	if s.pending {
		s.pending = false
		return s.current(s.pendingAt), nil
	}
	if s.done != nil {
		return frames.Frame{}, s.done
	}
	if s.info.Live {
		return s.readLive()
	}
	return s.readFinite()
}

// readLive reads the next frame of a live source.
func (s *VideoReader) readLive() (frames.Frame, error) {
	if !s.readFrame() {
		s.done = fmt.Errorf("read frame %d from %s: no frame (stream ended or device lost): %w",
			s.read, s.spec.name(), io.ErrUnexpectedEOF)
		return frames.Frame{}, s.done
	}
	return s.current(time.Now()), nil
}

// readFinite reads the next frame of a finite source. At the end it
// returns io.EOF, or an *EndedEarlyError when the source gave fewer
// frames than it declares or a frame no reader here can give.
func (s *VideoReader) readFinite() (frames.Frame, error) {
	ok, err := s.readFileFrame()
	switch {
	case err != nil:
		s.done = err
		return frames.Frame{}, s.done
	case !ok:
		s.done = s.endOfFile()
		return frames.Frame{}, s.done
	}
	return s.current(time.Now()), nil
}

// readFrame reads the next frame into s.frame and counts it, with its
// position when the source is a video file that knows it.
func (s *VideoReader) readFrame() bool {
	s.lend.Prepare(&s.frame)
	if !s.vc.Read(&s.frame) || s.frame.Empty() {
		return false
	}
	s.read++
	s.posMs = s.filePosition()
	return true
}

// filePosition is the position of the frame just read from a video file,
// in ms, or -1 when the source is no file or does not know it: FFmpeg's,
// or after a move to GStreamer (whose reader gives none reliably) the
// last FFmpeg position carried on at the file's frame rate.
func (s *VideoReader) filePosition() float64 {
	switch {
	case s.spec.kind != KindFile:
		return -1
	case s.followed:
		return s.carriedMs(s.read - 1)
	}
	if ms := s.vc.Get(gocv.VideoCapturePosMsec); ms >= 0 && !math.IsNaN(ms) && !math.IsInf(ms, 0) {
		return ms
	}
	return -1
}

// carriedMs is frame seq's position after the move to GStreamer: FFmpeg's
// at the move, on at the file's frame rate; -1 when either is unknown.
func (s *VideoReader) carriedMs(seq int64) float64 {
	if s.followedMs < 0 || s.info.FPS <= 0 {
		return -1
	}
	return s.followedMs + float64(seq-s.followedAt)*1000/s.info.FPS
}

// current is the frame just read, read at at; a video file's frame
// carries its position.
func (s *VideoReader) current(at time.Time) frames.Frame {
	f := frames.Frame{Seq: s.read - 1, At: at, Image: &s.frame, Pixels: s.lend.HandOver(s.frame)}
	if s.posMs >= 0 {
		pos := int64(math.Round(s.posMs * 1000))
		f.PositionUs = &pos
	}
	return f
}

// SkipTo discards frames of a finite source, without decoding them to images,
// so that the next frame Read returns has Seq == seq. It is
// used when resuming: the server says which frames are already done. Skipping
// backwards and skipping on a live source are errors. If the source ends
// first, SkipTo returns an error wrapping what Read then returns: io.EOF,
// or an *EndedEarlyError when it ended before the frames it declares.
func (s *VideoReader) SkipTo(seq int64) error {
	if skip, err := s.canSkip(seq); !skip {
		return err
	}
	s.pending = false
	if s.grab(seq - s.read) {
		return fmt.Errorf("skip to frame %d of %s: the source ends after %d frames: %w",
			seq, s.spec.name(), s.read, s.done)
	}
	return nil
}

// canSkip says whether SkipTo(seq) has frames to skip, or why it fails.
func (s *VideoReader) canSkip(seq int64) (bool, error) {
	if s.closed {
		return false, fmt.Errorf("skip to frame %d of %s: source is closed", seq, s.spec.name())
	}
	if s.info.Live {
		return false, fmt.Errorf("skip to frame %d of %s: cannot skip on a live source", seq, s.spec.name())
	}
	switch next := s.nextSeq(); {
	case seq < next:
		return false, fmt.Errorf("skip to frame %d of %s: already at frame %d, cannot go back", seq, s.spec.name(), next)
	case seq == next:
		return false, nil
	case s.done != nil:
		return false, fmt.Errorf("skip to frame %d of %s: %w", seq, s.spec.name(), s.done)
	}
	return true, nil
}

// nextSeq is the Seq of the frame Read returns next.
func (s *VideoReader) nextSeq() int64 {
	if s.pending {
		return s.read - 1
	}
	return s.read
}

// grab discards the next n frames and says whether the source ended
// first, which makes it done.
func (s *VideoReader) grab(n int64) (ended bool) {
	// gocv's Grab does not report failure, so the end of the source is
	// detected through the frame position, where the backend tracks it:
	// one frame at a time, so that it ends where reading would.
	if s.vc.Get(gocv.VideoCapturePosFrames) != float64(s.read) {
		s.vc.Grab(int(n))
		s.read += n
		return false
	}
	for range n {
		s.vc.Grab(1)
		if s.vc.Get(gocv.VideoCapturePosFrames) != float64(s.read+1) {
			s.done = s.endOfFile()
			return true
		}
		s.read++
		s.posMs = s.filePosition()
	}
	return false
}

// Close releases the capture and the Mats. It is safe to call more than once.
func (s *VideoReader) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.lend.Release()
	return errors.Join(s.frame.Close(), s.vc.Close())
}

package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/capture/frameenc"
	"github.com/framewire/framewire/capture/pace"
	framewirepb "github.com/framewire/framewire/proto"
)

// VideoSource reads frames from one source and encodes them as JPEG.
//
// A VideoSource owns an OpenCV capture and two Mats that are reused for every
// frame; Close releases them. Next, SkipTo and Close must not be called
// concurrently (one reader goroutine owns the source); Info may be called from
// any goroutine.
type VideoSource struct {
	spec sourceSpec
	info Info
	opts Options

	vc    *gocv.VideoCapture
	frame gocv.Mat // last frame read; owned here, reused for every read
	prev  gocv.Mat // a video file's frame before it; owned here, swapped with frame
	enc   *frameenc.Encoder

	read      int64     // frames read from the source so far
	posMs     float64   // position of the frame in s.frame in a video file, ms; -1 unknown
	pending   bool      // frame holds frame read-1, read by Open and not yet returned
	pendingAt time.Time // when the pending frame was read
	done      error     // sticky end-of-stream error (io.EOF for finite sources)
	closed    bool
	followed  bool // a video file moved to GStreamer to follow a picture size change

	pace  pace.Pacer
	timer *time.Timer // reused for MaxFPS waits on finite sources
}

// Open opens spec and reads its first frame, which the first Next returns.
//
// spec is interpreted as: all digits, a webcam index N (/dev/videoN); /dev/...,
// a device path; rtsp://, rtsps://, http:// or https://, a URL; containing
// '!', a GStreamer pipeline (its sink must be appsink); anything else, a file
// that must exist and be readable. A missing webcam, device or file fails
// without touching OpenCV, and errors name the source. Opening a URL may block
// for as long as the OpenCV backend's connection timeout.
//
// The caller owns the returned VideoSource and must Close it.
func Open(spec string, opts Options) (*VideoSource, error) {
	sp, opts, err := prepare(spec, opts)
	if err != nil {
		return nil, err
	}
	vc, err := openCapture(sp)
	if err != nil {
		return nil, err
	}
	s := newVideoSource(sp, opts, vc)
	if err := s.readFirst(); err != nil {
		return nil, err
	}
	s.info = s.describe()
	return s, nil
}

// prepare parses spec and checks it and opts before anything is opened.
func prepare(spec string, opts Options) (sourceSpec, Options, error) {
	sp, err := parseSpec(spec)
	if err != nil {
		return sourceSpec{}, opts, err
	}
	opts, err = opts.normalize()
	if err != nil {
		return sourceSpec{}, opts, fmt.Errorf("open %s: %w", sp.name(), err)
	}
	if err := checkLocal(sp); err != nil {
		return sourceSpec{}, opts, err
	}
	return sp, opts, nil
}

// newVideoSource is the source of sp read through vc, before its first
// frame.
func newVideoSource(sp sourceSpec, opts Options, vc *gocv.VideoCapture) *VideoSource {
	return &VideoSource{
		spec:  sp,
		opts:  opts,
		vc:    vc,
		frame: gocv.NewMat(),
		prev:  gocv.NewMat(),
		enc:   frameenc.New(opts.encoding()),
		pace:  pace.New(opts.interval()),
	}
}

// readFirst reads the first frame, which the first Next returns, and
// closes s when there is none.
func (s *VideoSource) readFirst() error {
	if !s.readFrame() {
		// Close of gocv objects cannot fail; the read failure is the news.
		_ = s.Close()
		return fmt.Errorf("open %s: OpenCV opened it but could not read a first frame (%s)", s.spec.name(), firstReadHint(s.spec.kind))
	}
	s.pending, s.pendingAt = true, time.Now()
	return nil
}

// describe builds the Info of a freshly opened source whose first frame is in s.frame.
func (s *VideoSource) describe() Info {
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
	info.Width, info.Height = s.opts.outputSize(s.frame.Cols(), s.frame.Rows())
	return info
}

// live says whether the source is live, given the frame count its backend
// reports.
func (s *VideoSource) live(count float64) bool {
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

// Info describes the source. It does not change after Open and is safe to call
// from any goroutine.
func (s *VideoSource) Info() Info { return s.info }

// Next returns the next frame, JPEG-encoded. Seq is the index of the frame as
// read from the source (0-based; live sources count frames dropped by MaxFPS,
// so gaps show), CaptureUnixNano is the time right after the read, and
// Width/Height are those of the encoded image. The returned Frame and its Data
// belong to the caller.
//
// Next returns io.EOF at the end of a finite source, or an *EndedEarlyError
// when a video file ends before the frames it declares or has a frame no
// reader here can give at its own size. When a live source stops
// delivering frames it returns an error wrapping io.ErrUnexpectedEOF. Both are
// sticky. ctx cancels MaxFPS waiting; a read already in progress inside OpenCV
// is not interrupted.
func (s *VideoSource) Next(ctx context.Context) (*framewirepb.Frame, error) {
	if s.closed {
		return nil, fmt.Errorf("next frame of %s: source is closed", s.spec.name())
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.pending {
		s.pending = false
		s.pace.Sent(time.Now())
		return s.encode(s.read-1, s.pendingAt)
	}
	if s.done != nil {
		return nil, s.done
	}
	if s.info.Live {
		return s.nextLive(ctx)
	}
	return s.nextFinite(ctx)
}

// nextLive reads frames until one may be sent under MaxFPS, dropping the rest.
func (s *VideoSource) nextLive(ctx context.Context) (*framewirepb.Frame, error) {
	for {
		if !s.readFrame() {
			s.done = fmt.Errorf("read frame %d from %s: no frame (stream ended or device lost): %w",
				s.read, s.spec.name(), io.ErrUnexpectedEOF)
			return nil, s.done
		}
		at := time.Now()
		if s.pace.Allow(at) {
			s.pace.Sent(at)
			return s.encode(s.read-1, at)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// nextFinite waits for the MaxFPS schedule, then reads one frame. At the
// end it returns io.EOF, or an *EndedEarlyError when the source gave
// fewer frames than it declares or a frame no reader here can give.
func (s *VideoSource) nextFinite(ctx context.Context) (*framewirepb.Frame, error) {
	if err := s.sleep(ctx, s.pace.Wait(time.Now())); err != nil {
		return nil, err
	}
	ok, err := s.readFileFrame()
	switch {
	case err != nil:
		s.done = err
		return nil, s.done
	case !ok:
		s.done = s.endOfFile()
		return nil, s.done
	}
	return s.sendNow()
}

// sendNow encodes the frame just read as sent now.
func (s *VideoSource) sendNow() (*framewirepb.Frame, error) {
	at := time.Now()
	s.pace.Sent(at)
	return s.encode(s.read-1, at)
}

// sleep waits for d or until ctx is done, reusing one timer.
func (s *VideoSource) sleep(ctx context.Context, d time.Duration) error {
	return pace.Sleep(ctx, &s.timer, d)
}

// readFrame reads the next frame into s.frame and counts it, with its
// position when the source is a video file that knows it.
func (s *VideoSource) readFrame() bool {
	if !s.vc.Read(&s.frame) || s.frame.Empty() {
		return false
	}
	s.read++
	s.posMs = s.filePosition()
	return true
}

// filePosition is the position of the frame just read from a video file,
// in ms, or -1 when the source is no file or does not know it.
func (s *VideoSource) filePosition() float64 {
	if s.spec.kind != KindFile || s.followed {
		return -1
	}
	if ms := s.vc.Get(gocv.VideoCapturePosMsec); ms >= 0 && !math.IsNaN(ms) && !math.IsInf(ms, 0) {
		return ms
	}
	return -1
}

// encode resizes s.frame if asked to and encodes it into a new Frame;
// a video file's frame carries its position.
func (s *VideoSource) encode(seq int64, at time.Time) (*framewirepb.Frame, error) {
	e, err := s.enc.Encode(s.frame)
	if err != nil {
		return nil, fmt.Errorf("encode frame %d of %s %w", seq, s.spec.name(), err)
	}
	f := &framewirepb.Frame{
		Seq:             seq,
		CaptureUnixNano: at.UnixNano(),
		Encoding:        e.Encoding,
		Data:            e.Data,
		Width:           int32(e.Width),
		Height:          int32(e.Height),
	}
	if s.posMs >= 0 {
		pos := int64(math.Round(s.posMs * 1000))
		f.PositionUs = &pos
	}
	return f, nil
}

// SkipTo discards frames of a finite source, without decoding them to images
// or encoding them, so that the next frame Next returns has Seq == seq. It is
// used when resuming: the server says which frames are already done. Skipping
// backwards and skipping on a live source are errors. If the source ends
// first, SkipTo returns an error wrapping what Next then returns: io.EOF,
// or an *EndedEarlyError when it ended before the frames it declares.
func (s *VideoSource) SkipTo(seq int64) error {
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
func (s *VideoSource) canSkip(seq int64) (bool, error) {
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

// nextSeq is the Seq of the frame Next returns next.
func (s *VideoSource) nextSeq() int64 {
	if s.pending {
		return s.read - 1
	}
	return s.read
}

// grab discards the next n frames and says whether the source ended
// first, which makes it done.
func (s *VideoSource) grab(n int64) (ended bool) {
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
func (s *VideoSource) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	return errors.Join(s.frame.Close(), s.prev.Close(), s.enc.Close(), s.vc.Close())
}

// LimitRaw lowers the largest raw frame sent (see frameenc.Encoder.LimitRaw).
// It is safe to call while another goroutine reads frames.
func (s *VideoSource) LimitRaw(n int) { s.enc.LimitRaw(n) }

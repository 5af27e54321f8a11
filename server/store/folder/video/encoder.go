package video

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/framewire/framewire/server/store/folder/video/mkv"
)

// ffmpegArgs encode a Matroska stream on stdin (encoderInput) into a
// fragmented MP4 on stdout: H.264 (x264, ultrafast, one thread, no
// B-frames) in 4:2:0 at even sizes, so that browsers play it; each
// frame's time passed through; a key frame, and so a fragment, at the
// first frame and then at the first frame a segment's length or more
// after the last key frame.
func ffmpegArgs(segment time.Duration) []string {
	return []string{
		"-hide_banner", "-loglevel", "error", "-threads", "1", "-f", "matroska", "-i", "pipe:0",
		"-an", "-vf", "crop=trunc(iw/2)*2:trunc(ih/2)*2",
		"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-threads", "1", "-pix_fmt", "yuv420p",
		"-g", "1000000", "-sc_threshold", "0", "-forced-idr", "1", "-x264-params", "force-cfr=1:fps=100",
		"-force_key_frames", fmt.Sprintf("expr:if(eq(n,0),1,gte(t,prev_forced_t+%.6f))", segment.Seconds()),
		"-fps_mode", "passthrough", "-enc_time_base", "-1", "-video_track_timescale", fmt.Sprint(Timescale),
		"-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-flush_packets", "1", "-f", "mp4", "pipe:1",
	}
}

// inputKind is what one encoder takes: raw I420 pixels or JPEGs, of one
// size. A frame of another kind needs another encoder.
type inputKind struct {
	codec string
	w, h  int
}

// fed is a frame written to an encoder and its time there
// (microseconds from the encoder's first frame).
type fed struct {
	Frame
	at int64
}

// made is one segment an encoder finished: its MP4 (initialisation
// section included, its decode time still the encoder's), its frames and
// length.
type made struct {
	mp4        []byte
	init       int
	frames     []Frame
	durationUs int64
	ticks      int64
}

// maxQueued is how many frames written may wait for their segment before
// the encoder is taken as making none: when that many wait and they span
// more than two segments of frame time (a healthy encoder holds one
// segment's and the few ffmpeg keeps, however long the segment and high
// the frame rate), the next write fails and the recorder starts another
// after a backoff.
const maxQueued = 1 << 14

// encoder is one ffmpeg process making a stream's segments from frames
// written to it in order: every segment's length of frame time it cuts
// a fragment, which is one segment. write and finish are called from one
// goroutine; the segments are handed to emit on the encoder's reading
// goroutine, which finish waits for. Once its output cannot be read, or
// ends before its input, writes fail.
type encoder struct {
	kind   inputKind
	limit  int   // frames that may wait for a segment over two (maxQueued)
	most   int64 // longest frame duration (microseconds): the segment length
	cmd    *exec.Cmd
	cancel context.CancelFunc
	stdin  io.WriteCloser
	stderr stderrTail
	prev   fed   // the last frame written
	dur    int64 // its duration before it, once there are two
	n      int   // frames written
	emit   func(made)
	read   chan struct{} // closed when the output is read to its end

	mu       sync.Mutex
	queue    []fed // written, not yet in a segment
	lastDur  int64 // the last frame's duration, known at finish
	finished bool  // no more frames come
	readErr  error // why the output ended before the input; then ffmpeg is killed
}

// startEncoder starts ffmpeg for frames of kind.
func startEncoder(ffmpeg string, segment time.Duration, kind inputKind, emit func(made)) (*encoder, error) {
	ctx, cancel := context.WithCancel(context.Background())
	e := &encoder{kind: kind, limit: maxQueued, most: max(segment.Microseconds(), 1), cancel: cancel, emit: emit, read: make(chan struct{})}
	e.cmd = exec.CommandContext(ctx, ffmpeg, ffmpegArgs(segment)...)
	e.cmd.Stderr = &e.stderr
	stdin, err := e.cmd.StdinPipe()
	var stdout io.ReadCloser
	if err == nil {
		stdout, err = e.cmd.StdoutPipe()
	}
	if err == nil {
		err = e.cmd.Start()
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("start the video encoder %s: %w", ffmpeg, err)
	}
	e.stdin = stdin
	go e.readOutput(stdout)
	if _, err := stdin.Write(mkv.Header(kind.codec, kind.w, kind.h, nil)); err != nil {
		_, ferr := e.finish(-1)
		return nil, errors.Join(fmt.Errorf("start the video encoder %s: %w", ffmpeg, err), ferr)
	}
	return e, nil
}

// writeTimeout bounds giving the encoder one frame: it takes a frame in
// milliseconds, so one that has not in this long is hung.
const writeTimeout = 30 * time.Second

// write gives the encoder frame f, its bytes data. On an error f is not
// in the encoder, and no later frame will be.
func (e *encoder) write(f Frame, data []byte) error {
	cur, dur := fed{Frame: f}, e.dur
	cur.Pixels = nil // the queue keeps no pixels
	if e.n > 0 {
		dur = frameDuration(f.PTSUs-e.prev.PTSUs, e.most)
		cur.at = e.prev.at + dur
	}
	if err := e.take(cur); err != nil {
		return fmt.Errorf("write frame %d to the video encoder: %w", f.Seq, err)
	}
	stuck := time.AfterFunc(writeTimeout, e.cancel) // an encoder that stops reading is killed
	defer stuck.Stop()
	if err := mkv.WriteFrame(e.stdin, cur.at, data); err != nil {
		return fmt.Errorf("write frame %d to the video encoder: %w", f.Seq, e.untake(err))
	}
	e.prev, e.dur, e.n = cur, dur, e.n+1
	return nil
}

// take queues cur for its segment, unless the output has ended or the
// queue is full.
func (e *encoder) take(cur fed) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.readErr != nil {
		return fmt.Errorf("its output ended: %w", e.readErr)
	}
	if len(e.queue) >= e.limit && cur.at-e.queue[0].at > 2*e.most {
		return fmt.Errorf("%d frames written over %.1f s wait for a segment of %.1f s", len(e.queue), float64(cur.at-e.queue[0].at)/1e6, float64(e.most)/1e6)
	}
	e.queue = append(e.queue, cur)
	return nil
}

// untake drops the frame last queued, which could not be written (err),
// and adds why the output ended, if it has.
func (e *encoder) untake(err error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.queue = e.queue[:len(e.queue)-1] // ffmpeg has not all of it: in no segment
	if e.readErr != nil {
		return errors.Join(err, fmt.Errorf("its output ended: %w", e.readErr))
	}
	return err
}

// finish ends the encoder's input and waits for its last segment; next
// is the time of the frame after its last (-1: none), for the last
// frame's duration. It returns the frames written that are in no
// segment, and reports them.
func (e *encoder) finish(next int64) ([]Frame, error) {
	defer e.cancel()
	last := e.dur
	if next >= 0 && e.n > 0 {
		last = frameDuration(next-e.prev.PTSUs, e.most)
	}
	e.mu.Lock()
	e.lastDur, e.finished = frameDuration(last, e.most), true
	e.mu.Unlock()
	_ = e.stdin.Close()
	select {
	case <-e.read:
	case <-time.After(segmentTimeout):
		e.cancel()
		<-e.read
	}
	err := e.cmd.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	err = errors.Join(e.readErr, err)
	var lost []Frame
	for _, f := range e.queue {
		lost = append(lost, f.Frame)
	}
	if err == nil && len(lost) == 0 {
		return nil, nil
	}
	msg := fmt.Sprintf("video encoder: %d frames in no segment", len(lost))
	if s := strings.TrimSpace(e.stderr.String()); s != "" {
		msg += " (ffmpeg: " + s + ")"
	}
	if err == nil {
		return lost, errors.New(msg)
	}
	return lost, fmt.Errorf("%s: %w", msg, err)
}

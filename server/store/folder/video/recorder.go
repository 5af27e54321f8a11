// Package video writes a stream's annotated frames as H.264 in MP4
// segments beside its JPEGs: <stream>/video/00000.mp4, ..., an index of
// the frames each holds (segments.json) and an HLS playlist (index.m3u8).
// One ffmpeg process per stream encodes the frames as they are recorded
// (the annotated pixels the server already has, or else the recorded
// JPEGs), each frame shown until the next one's time, and cuts a
// fragment every segment's length; each fragment is written as a
// segment atomically, then the index and playlist. So a crash leaves
// only finished segments listed, and the frames after them, recorded
// with their JPEGs, are made into segments again when the stream
// reopens.
package video

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // the recorded JPEGs' sizes
	"log/slog"
	"os"
	"path"
	"time"

	"github.com/framewire/framewire/internal/backoff"
	"github.com/framewire/framewire/server/store/folder/video/fmp4"
	"github.com/framewire/framewire/server/store/folder/video/mkv"
)

// Config is how a stream's video is made and kept.
type Config struct {
	// FFmpeg is the ffmpeg program that encodes the segments.
	FFmpeg string
	// Segment is the length of a segment in frame time.
	Segment time.Duration
	// KeepDuration and KeepBytes, when not zero, bound a live stream's
	// segments: the oldest go first.
	KeepDuration time.Duration
	KeepBytes    int64
	// Log hears what could not be encoded; nil for none.
	Log *slog.Logger
}

// segmentTimeout bounds the wait for an encoder's last segment.
const segmentTimeout = 5 * time.Minute

// queued is how many frames may wait for the encoder before Add waits.
const queued = 4

// input is one frame for the recorder's goroutine, or the end of the
// stream's frames.
type input struct {
	f          Frame
	end, ended bool
}

// Recorder makes one stream's segments. Add and Close are called from
// one goroutine (the stream's sender); the frames are given to the
// encoder on the recorder's own goroutine, which Close waits for.
type Recorder struct {
	root    *os.Root
	dir     string // the stream's folder in root
	cfg     Config
	live    bool
	lastSeq int64      // last frame taken
	in      chan input // bounded: Add waits when the encoder is behind
	done    chan struct{}
	// settled is told the frames the video is done with (the JPEG
	// pruner): those of each finished segment, and those it could not
	// put in one.
	settled func([]Frame)

	// Owned by the recorder's goroutine, and by the encoder's reading
	// goroutine while it runs (the recorder waits for it to end).
	x     Index
	nextN int
	enc   *encoder
	// failures counts encoders in a row that failed; no new one starts
	// before retryAt (the frames meanwhile are not in the video).
	failures int
	retryAt  time.Time
}

// Open starts the video of root's stream folder dir, continuing its
// index: recovered are the frames recorded after its last segment (a
// crash lost them from the video), which are encoded first. settled
// (nil: none) is told the frames of every finished segment, and those
// that could not be put in one (not encoded, or their segment not
// written): their JPEGs are no longer needed for the video.
func Open(root *os.Root, dir string, cfg Config, live bool, recovered []Frame, settled func([]Frame)) (*Recorder, error) {
	vdir := path.Join(dir, Dir)
	if err := root.MkdirAll(vdir, 0o777); err != nil {
		return nil, err
	}
	x, err := ReadIndex(root.FS(), vdir)
	if err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if settled == nil {
		settled = func([]Frame) {}
	}
	x.Ended = false
	r := &Recorder{root: root, dir: dir, cfg: cfg, live: live, lastSeq: x.LastSeq(), x: x, nextN: x.next(),
		in: make(chan input, queued), done: make(chan struct{}), settled: settled}
	sweep(root, vdir, x.next())
	go r.run()
	for _, f := range recovered {
		r.Add(f)
	}
	return r, nil
}

// Add takes the next frame, in frame order. A frame at or before the last
// one taken is not in the video (only a resend after a failure can come
// so late).
func (r *Recorder) Add(f Frame) {
	if f.Seq <= r.lastSeq {
		r.cfg.Log.Warn("frame too late for the video", "stream", r.dir, "seq", f.Seq)
		return
	}
	r.in <- input{f: f}
	r.lastSeq = f.Seq
}

// Close makes the frames taken into segments, closes the playlist when
// ended (every frame of a finite source is in), and waits for the
// segments to be written.
func (r *Recorder) Close(ended bool) {
	r.in <- input{end: true, ended: ended}
	close(r.in)
	<-r.done
}

// run gives the frames taken to the encoder, in turn.
func (r *Recorder) run() {
	defer close(r.done)
	for in := range r.in {
		if !in.end {
			r.encode(in.f)
			continue
		}
		r.finish(-1)
		if in.ended {
			r.x.Ended = true
			r.writeIndex(nil)
		}
	}
}

// encode writes f to the encoder, starting one for its kind of input.
func (r *Recorder) encode(f Frame) {
	kind, data, err := r.input(f)
	if err != nil {
		r.cfg.Log.Error("frame not in the video", "stream", r.dir, "seq", f.Seq, "error", err)
		r.settled([]Frame{f})
		return
	}
	if r.enc != nil && r.enc.kind != kind {
		r.finish(f.PTSUs)
	}
	if r.enc == nil {
		if time.Now().Before(r.retryAt) {
			r.settled([]Frame{f})
			return
		}
		if r.enc, err = startEncoder(r.cfg.FFmpeg, r.cfg.Segment, kind, r.segmentMade); err != nil {
			r.failed(f, err)
			r.settled([]Frame{f})
			return
		}
	}
	if err := r.enc.write(f, data); err != nil {
		r.failed(f, err)
		r.enc.cancel() // its frames are lost: no wait for an ffmpeg that may hang
		r.finish(f.PTSUs)
		r.settled([]Frame{f})
	}
}

// failed says that the encoder failed at frame f, and holds off the next
// one: a failure that stays (an ffmpeg without libx264) costs a process
// every few seconds, not every frame.
func (r *Recorder) failed(f Frame, err error) {
	r.failures++
	wait := backoff.Policy{}.Wait(r.failures)
	r.retryAt = time.Now().Add(wait)
	r.cfg.Log.Error("video encoder failed; its frames until the next try are not in the video", "stream", r.dir,
		"seq", f.Seq, "next_try_in", wait, "error", err)
}

// input is what the encoder takes of f: its pixels, or else its JPEG
// read again.
func (r *Recorder) input(f Frame) (inputKind, []byte, error) {
	if f.Pixels != nil {
		if len(f.Pixels) != f.Width*f.Height*3/2 || f.Width%2 != 0 || f.Height%2 != 0 {
			return inputKind{}, nil, fmt.Errorf("%d bytes are not I420 pixels of %dx%d", len(f.Pixels), f.Width, f.Height)
		}
		return inputKind{codec: mkv.Raw, w: f.Width, h: f.Height}, f.Pixels, nil
	}
	b, err := r.root.ReadFile(path.Join(r.dir, f.Image))
	if err != nil {
		return inputKind{}, nil, fmt.Errorf("read the JPEG: %w", err)
	}
	c, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return inputKind{}, nil, fmt.Errorf("read the JPEG %s: %w", f.Image, err)
	}
	return inputKind{codec: mkv.JPEG, w: c.Width, h: c.Height}, b, nil
}

// finish waits for the encoder's last segment; next is the time of the
// frame after its last (-1: none).
func (r *Recorder) finish(next int64) {
	if r.enc == nil {
		return
	}
	lost, err := r.enc.finish(next)
	if err != nil {
		r.cfg.Log.Error("video frames not in a segment", "stream", r.dir, "error", err)
	} else {
		r.failures = 0
	}
	if len(lost) > 0 {
		r.settled(lost)
	}
	r.enc = nil
}

// segmentMade writes a segment the encoder finished and lists it.
func (r *Recorder) segmentMade(m made) {
	n, base := r.nextN, r.x.endTicks()
	err := fmp4.SetDecodeTime(m.mp4, uint64(base))
	if err == nil {
		err = writeSegment(r.root, path.Join(r.dir, Dir), SegmentName(n), m.mp4)
	}
	if err != nil {
		r.cfg.Log.Error("video segment not written; its frames are not in the video", "stream", r.dir, "segment", n, "error", err)
		r.settled(m.frames)
		return
	}
	r.nextN++
	r.x.Segments = append(r.x.Segments, Segment{N: n, File: SegmentName(n), Frames: ranges(m.frames), Count: len(m.frames),
		StartUs: m.frames[0].PTSUs, DurationUs: m.durationUs, BaseTicks: base, Ticks: m.ticks,
		Bytes: int64(len(m.mp4)), InitBytes: int64(m.init)})
	r.writeIndex(r.expired(&r.x))
	r.settled(m.frames)
}

// writeIndex writes the index and its playlist, then removes the
// segments it no longer lists.
func (r *Recorder) writeIndex(gone []Segment) {
	vdir := path.Join(r.dir, Dir)
	if err := r.x.write(r.root, vdir); err != nil {
		r.cfg.Log.Error("video index not written", "stream", r.dir, "error", err)
		return
	}
	for _, s := range gone {
		_ = r.root.Remove(path.Join(vdir, s.File)) // best effort: a segment left stays unlisted
	}
}

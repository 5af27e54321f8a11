// Package video writes a stream's annotated frames as H.264 in MP4
// segments beside its JPEGs: <stream>/video/00000.mp4, ..., an index of
// the frames each holds (segments.json) and an HLS playlist (index.m3u8).
// A segment is made by ffmpeg from the frames' JPEGs once they are
// durable, each frame shown for the time to the next, and written
// atomically; the index and playlist follow it. So a crash leaves only
// finished segments listed, and the frames after them, recorded with
// their JPEGs, are made into segments again when the stream reopens.
package video

import (
	"context"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"time"
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

// segmentTimeout bounds one segment's encoding.
const segmentTimeout = 5 * time.Minute

// job is one segment to make, or the end of the stream's frames.
type job struct {
	n      int
	frames []Frame
	durs   []int64
	ended  bool
}

// Recorder makes one stream's segments. Add and Close are called from
// one goroutine (the stream's sender); the segments are encoded on the
// recorder's own goroutine, which Close waits for.
type Recorder struct {
	root    *os.Root
	dir     string // the stream's folder in root
	cfg     Config
	live    bool
	pending []Frame
	lastSeq int64 // last frame given to a segment
	nextN   int
	jobs    chan job // bounded: Add waits when two segments are being made
	done    chan struct{}
	// made is told the frames of each finished segment (the JPEG
	// pruner); called from the recorder's goroutine.
	made func([]Frame)
}

// Open starts the video of root's stream folder dir, continuing its
// index: recovered are the frames recorded after its last segment (a
// crash lost them from the video), which are encoded first. made (nil:
// none) is told the frames of every finished segment.
func Open(root *os.Root, dir string, cfg Config, live bool, recovered []Frame, made func([]Frame)) (*Recorder, error) {
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
	r := &Recorder{root: root, dir: dir, cfg: cfg, live: live, lastSeq: x.LastSeq(), nextN: x.next(),
		jobs: make(chan job, 2), done: make(chan struct{}), made: made}
	sweep(root, vdir, x.next())
	x.Ended = false
	go r.run(x)
	for _, f := range recovered {
		r.Add(f)
	}
	return r, nil
}

// Add takes the next frame, in frame order. A frame at or before the last
// one in a segment is not in the video (only a resend after a failure
// can come so late).
func (r *Recorder) Add(f Frame) {
	if f.Seq <= r.lastSeq {
		r.cfg.Log.Warn("frame too late for the video", "stream", r.dir, "seq", f.Seq)
		return
	}
	if len(r.pending) > 0 && f.PTSUs-r.pending[0].PTSUs >= r.cfg.Segment.Microseconds() {
		r.cut(f.PTSUs)
	}
	r.pending = append(r.pending, f)
	r.lastSeq = f.Seq
}

// cut hands the pending frames on as a segment; next is the following
// frame's time (-1: none).
func (r *Recorder) cut(next int64) {
	if len(r.pending) == 0 {
		return
	}
	durs := durations(r.pending, next, max(r.cfg.Segment.Microseconds(), 1))
	r.jobs <- job{n: r.nextN, frames: r.pending, durs: durs}
	r.nextN++
	r.pending = nil
}

// Close makes the pending frames a segment, closes the playlist when
// ended (every frame of a finite source is in), and waits for the
// segments to be written.
func (r *Recorder) Close(ended bool) {
	r.cut(-1)
	r.jobs <- job{ended: ended}
	close(r.jobs)
	<-r.done
}

// run makes the segments handed on, in turn.
func (r *Recorder) run(x Index) {
	defer close(r.done)
	for j := range r.jobs {
		if j.ended {
			x.Ended = true
			r.writeIndex(&x, nil)
			continue
		}
		if j.frames != nil {
			r.make(&x, j)
		}
	}
}

// make encodes and writes one segment, then lists it.
func (r *Recorder) make(x *Index, j job) {
	ctx, cancel := context.WithTimeout(context.Background(), segmentTimeout)
	defer cancel()
	abs := filepath.Join(r.root.Name(), filepath.FromSlash(r.dir))
	enc, err := encode(ctx, r.cfg.FFmpeg, abs, j.frames, j.durs, uint64(x.endTicks()))
	if err == nil {
		err = writeSegment(r.root, path.Join(r.dir, Dir), SegmentName(j.n), enc.mp4)
	}
	if err != nil {
		r.cfg.Log.Error("video segment not made; its frames are not in the video", "stream", r.dir, "segment", j.n, "error", err)
		return
	}
	var total int64
	for _, d := range j.durs {
		total += d
	}
	x.Segments = append(x.Segments, Segment{N: j.n, File: SegmentName(j.n), Frames: ranges(j.frames), Count: len(j.frames),
		StartUs: j.frames[0].PTSUs, DurationUs: total, BaseTicks: x.endTicks(), Ticks: sumTicks(j.durs), Bytes: int64(len(enc.mp4)), InitBytes: int64(enc.init)})
	r.writeIndex(x, r.expired(x))
	if r.made != nil {
		r.made(j.frames)
	}
}

// writeIndex writes x and its playlist, then removes the segments it no
// longer lists.
func (r *Recorder) writeIndex(x *Index, gone []Segment) {
	vdir := path.Join(r.dir, Dir)
	if err := x.write(r.root, vdir); err != nil {
		r.cfg.Log.Error("video index not written", "stream", r.dir, "error", err)
		return
	}
	for _, s := range gone {
		_ = r.root.Remove(path.Join(vdir, s.File)) // best effort: a segment left stays unlisted
	}
}

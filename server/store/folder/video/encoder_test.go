package video

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/framewire/framewire/server/store/folder/video/mkv"
)

// fakeFFmpeg writes a script standing in for ffmpeg: body, then the
// real ffmpeg (real) once marker exists, when real is not empty.
func fakeFFmpeg(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ffmpeg")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// brokenOutput is an ffmpeg whose output is not MP4 (a box of 0 bytes)
// while it goes on reading its input, as a live stream's would.
const brokenOutput = `printf '\000\000\000\000junk'; cat >/dev/null`

// queuedLen is how many frames e holds for a segment.
func queuedLen(e *encoder) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.queue)
}

// Once the encoder's output cannot be read, or ends while ffmpeg still
// reads its input, writing to it fails, saying why, and frames do not
// pile up meanwhile.
func TestEncoderWhoseOutputFailedRefusesFrames(t *testing.T) {
	dir := t.TempDir()
	frames := writeFrames(t, dir, 1, func(int) int64 { return 0 })
	jpg, _ := os.ReadFile(filepath.Join(dir, frames[0].Image))
	for _, c := range []struct{ name, script, says string }{
		{"not MP4", brokenOutput, "box of 0 bytes"},
		{"closed", "exec 1>&-; exec cat >/dev/null", "output ended before its input"},
	} {
		e, err := startEncoder(fakeFFmpeg(t, c.script), time.Second, inputKind{codec: mkv.JPEG, w: 66, h: 50}, func(made) {})
		if err != nil && strings.Contains(err.Error(), c.says) {
			continue // the output failed before the header was written: refused at once (1 run in 300)
		}
		if err != nil {
			t.Fatal(err)
		}
		var werr error
		most := 0
		deadline := time.Now().Add(5 * time.Second)
		for seq := int64(0); werr == nil && time.Now().Before(deadline); seq++ {
			werr = e.write(Frame{Seq: seq, PTSUs: seq * 40_000, Image: frames[0].Image}, jpg)
			most = max(most, queuedLen(e))
		}
		if werr == nil || !strings.Contains(werr.Error(), c.says) {
			t.Fatalf("output %s: writes after it failed: error %v, want one saying %q (%d frames queued)", c.name, werr, c.says, queuedLen(e))
		}
		t.Logf("output %s: the write failed with at most %d frames queued: %v", c.name, most, werr)
		if most > maxQueued {
			t.Errorf("output %s: %d frames queued before the write failed, want at most %d", c.name, most, maxQueued)
		}
		_, _ = e.finish(-1)
	}
}

// An encoder that takes frames and makes no segment of them holds no
// more than its limit: the next write fails.
func TestEncoderQueueIsBounded(t *testing.T) {
	dir := t.TempDir()
	frames := writeFrames(t, dir, 1, func(int) int64 { return 0 })
	jpg, _ := os.ReadFile(filepath.Join(dir, frames[0].Image))
	e, err := startEncoder(fakeFFmpeg(t, "cat >/dev/null"), time.Second, inputKind{codec: mkv.JPEG, w: 66, h: 50}, func(made) {})
	if err != nil {
		t.Fatal(err)
	}
	e.limit = 10
	// 20 frames 40 ms apart: over the limit, but within one segment of
	// frame time, as a long segment at a high frame rate would be.
	for seq := range int64(20) {
		if err := e.write(Frame{Seq: seq, PTSUs: seq * 40_000}, jpg); err != nil {
			t.Fatalf("frame %d, within a segment: %v", seq, err)
		}
	}
	// Then 300 ms apart: frame 24, at 2.26 s, is the first over two
	// segments after the first queued.
	for seq := int64(20); seq <= 24; seq++ {
		err := e.write(Frame{Seq: seq, PTSUs: 760_000 + (seq-19)*300_000}, jpg)
		if (err != nil) != (seq == 24) {
			t.Errorf("frame %d: error %v, with %d frames over %d us queued; want one only at frame 24", seq, err, queuedLen(e), queueSpan(e))
		}
	}
	if queuedLen(e) != 24 {
		t.Errorf("%d frames queued after the failed write, want 24", queuedLen(e))
	}
	_, _ = e.finish(-1)
}

// queueSpan is the frame time the frames queued in e span, microseconds.
func queueSpan(e *encoder) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.queue) == 0 {
		return 0
	}
	return e.queue[len(e.queue)-1].at - e.queue[0].at
}

// An encoder that makes no segment of the frames written, and exits
// well, says how many it lost, with no nil error in the message.
func TestEncoderWithFramesInNoSegmentSaysSo(t *testing.T) {
	e, err := startEncoder(fakeFFmpeg(t, "cat >/dev/null"), time.Second, inputKind{codec: mkv.JPEG, w: 66, h: 50}, func(made) {})
	if err != nil {
		t.Fatal(err)
	}
	for seq := range int64(2) {
		if err := e.write(Frame{Seq: seq, PTSUs: seq * 40_000}, []byte("jpeg")); err != nil {
			t.Fatal(err)
		}
	}
	lost, err := e.finish(-1)
	if len(lost) != 2 || err == nil || !strings.Contains(err.Error(), "2 frames in no segment") || strings.Contains(err.Error(), "%!") {
		t.Errorf("finish: %d frames lost, error %v; want 2 and an error saying so", len(lost), err)
	}
}

// A live stream whose first encoder's output fails gets a new encoder
// after the backoff, and its later frames are in segments.
func TestRecorderRestartsAnEncoderWhoseOutputFailed(t *testing.T) {
	ffmpeg := needFFmpeg(t)
	dir := t.TempDir()
	root, _ := os.OpenRoot(dir)
	defer root.Close()
	os.Mkdir(filepath.Join(dir, "s"), 0o777)
	images := writeFrames(t, filepath.Join(dir, "s"), 5, func(int) int64 { return 0 })
	marker := filepath.Join(t.TempDir(), "failed once")
	fake := fakeFFmpeg(t, "if [ ! -e '"+marker+"' ]; then touch '"+marker+"'; "+brokenOutput+"; fi\nexec '"+ffmpeg+`' "$@"`)
	var settled atomic.Int64
	r, err := Open(root, "s", Config{FFmpeg: fake, Segment: 200 * time.Millisecond}, true, nil, func(f []Frame) {
		settled.Add(int64(len(f)))
	})
	if err != nil {
		t.Fatal(err)
	}
	segmented := func(n int64) bool {
		if n == 0 || n%50 != 0 {
			return false
		}
		x, _ := ReadIndex(root.FS(), "s/video")
		return len(x.Segments) > 0
	}
	seq := int64(0)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && !segmented(seq); seq++ {
		r.Add(Frame{Seq: seq, PTSUs: seq * 40_000, Image: images[seq%5].Image})
	}
	r.Close(false)
	t.Logf("%d frames added", seq)
	if settled.Load() != seq {
		t.Errorf("%d frames settled (in a segment or given up on), want all %d", settled.Load(), seq)
	}
	x, _ := ReadIndex(root.FS(), "s/video")
	if len(x.Segments) == 0 {
		t.Fatalf("no segment after %d frames: the encoder was not started again", seq)
	}
	if first := x.Segments[0].Frames[0][0]; first == 0 {
		t.Errorf("the first segment starts at frame 0, want a later frame (the first encoder's output failed)")
	}
}

package video

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// rawFrame is frame i as I420 pixels of w x h, a pattern moving with i.
func rawFrame(i, w, h int, pts int64) Frame {
	px := make([]byte, w*h*3/2)
	for p := range w * h {
		px[p] = uint8(p%w + i*5)
	}
	for p := w * h; p < len(px); p++ {
		px[p] = 128
	}
	return Frame{Seq: int64(i), PTSUs: pts, Image: "none.jpg", Pixels: px, Width: w, Height: h}
}

func TestPixelsOfTwoSizesAfterJPEGsMakeSegments(t *testing.T) {
	ffmpeg := needFFmpeg(t)
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	os.Mkdir(filepath.Join(dir, "s"), 0o777)
	// The first 5 frames recovered from their JPEGs (66x50), then pixels:
	// 20 at 64x48, then 15 at 96x72; 4.1 s in all.
	pts := func(i int) int64 { // 100 ms apart, 5 s (clamped to 1) after frame 11, 20 ms after 30
		switch {
		case i >= 31:
			return int64(i)*100_000 + 5_000_000 - 80_000*int64(i-30)
		case i >= 12:
			return int64(i)*100_000 + 5_000_000
		}
		return int64(i) * 100_000
	}
	frames := writeFrames(t, filepath.Join(dir, "s"), 5, pts)
	r, err := Open(root, "s", Config{FFmpeg: ffmpeg, Segment: time.Second}, false, frames, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 5; i < 40; i++ {
		w, h := 64, 48
		if i >= 25 {
			w, h = 96, 72
		}
		r.Add(rawFrame(i, w, h, pts(i)))
	}
	r.Close(true)
	x, err := ReadIndex(root.FS(), "s/video")
	if err != nil {
		t.Fatal(err)
	}
	var next int64
	for _, s := range x.Segments {
		n, _ := probe(t, filepath.Join(dir, "s/video", s.File))
		if n != s.Count || s.Frames[0][0] != next {
			t.Errorf("segment %d: %d frames from %d, its index says %d from %d", s.N, n, next, s.Count, s.Frames[0][0])
		}
		next = s.Frames[len(s.Frames)-1][1]
	}
	if next != 40 || !x.Ended {
		t.Fatalf("segments end at frame %d, ended %v; want 40, ended: %+v", next, x.Ended, x.Segments)
	}
}

func TestAFailingEncoderLosesItsFramesButNotTheStream(t *testing.T) {
	broken, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false(1)")
	}
	root, err := os.OpenRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	root.Mkdir("s", 0o777)
	r, err := Open(root, "s", Config{FFmpeg: broken, Segment: time.Second}, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		r.Add(rawFrame(i, 320, 240, int64(i)*100_000))
	}
	done := make(chan struct{})
	go func() { r.Close(true); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not return with a failing encoder")
	}
	if x, _ := ReadIndex(root.FS(), "s/video"); len(x.Segments) != 0 || !x.Ended {
		t.Errorf("index %+v; want no segments, ended", x)
	}
}

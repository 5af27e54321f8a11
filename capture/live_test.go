package capture

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

func TestPipelineLive(t *testing.T) {
	needVideotestsrc(t)
	s := openT(t, testPipeline, Options{})
	info := s.Info()
	want := Info{Source: testPipeline, Kind: KindPipeline, Live: true, FrameCount: 0, FPS: info.FPS, Width: 640, Height: 480}
	if info != want {
		t.Errorf("Info() = %+v, want %+v", info, want)
	}
	t.Logf("pipeline reports %v fps", info.FPS)

	prev := int64(-1)
	for i := range 5 {
		f, err := s.Next(context.Background())
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if f.Seq <= prev {
			t.Fatalf("frame %d: Seq %d after %d, want increasing", i, f.Seq, prev)
		}
		prev = f.Seq
		if f.Width != 640 || f.Height != 480 {
			t.Fatalf("frame %d is %dx%d, want 640x480", i, f.Width, f.Height)
		}
		m := decodeJPEG(t, f.Data)
		if m.Cols() != 640 || m.Rows() != 480 {
			t.Errorf("frame %d decodes to %dx%d, want 640x480", i, m.Cols(), m.Rows())
		}
		m.Close()
	}
	if prev != 4 {
		t.Errorf("without MaxFPS the 5th frame has Seq %d, want 4 (no frames dropped)", prev)
	}
	if err := s.SkipTo(100); err == nil {
		t.Error("SkipTo on a live source: want an error")
	}
}

func TestPipelineMaxFPSDropsFrames(t *testing.T) {
	needVideotestsrc(t)
	// 30 fps source, 10 fps cap: about two of every three frames are dropped.
	s := openT(t, testPipeline, Options{MaxFPS: 10, Width: 160})
	var seqs []int64
	start := time.Now()
	for range 5 {
		f, err := s.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if f.Width != 160 || f.Height != 120 {
			t.Fatalf("frame %d is %dx%d, want 160x120", f.Seq, f.Width, f.Height)
		}
		seqs = append(seqs, f.Seq)
	}
	elapsed := time.Since(start)
	t.Logf("seqs %v in %v", seqs, elapsed)
	for i := 1; i < len(seqs); i++ {
		if gap := seqs[i] - seqs[i-1]; gap < 2 {
			t.Errorf("gap of %d between seqs %d and %d: frames were not dropped under a 10 fps cap of a 30 fps source", gap, seqs[i-1], seqs[i])
		}
	}
	// Four 100 ms slots after the first frame, less the pacer's 25 ms tolerance.
	if elapsed < 4*75*time.Millisecond {
		t.Errorf("5 frames at MaxFPS 10 arrived in %v, want >= 300ms", elapsed)
	}
}

func TestPipelineEnds(t *testing.T) {
	needVideotestsrc(t)
	// A pipeline that stops after 3 buffers: a live source that ends must not
	// look like a clean io.EOF.
	spec := "videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! videoconvert ! appsink"
	s := openT(t, spec, Options{})
	var err error
	n := 0
	for ; n < 10; n++ {
		if _, err = s.Next(context.Background()); err != nil {
			break
		}
	}
	if n != 3 {
		t.Errorf("read %d frames from a 3-buffer pipeline, want 3", n)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		t.Errorf("end of a live pipeline = %v, want an error wrapping io.ErrUnexpectedEOF", err)
	}
	if _, again := s.Next(context.Background()); !errors.Is(again, io.ErrUnexpectedEOF) {
		t.Errorf("Next after the end = %v, want the same error again", again)
	}
}

package capture

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	framewirepb "github.com/framewire/framewire/proto"
)

func TestFileInfoAndAllFrames(t *testing.T) {
	path := needVtest(t)
	s := openT(t, path, Options{})

	info := s.Info()
	want := Info{Source: path, Kind: KindFile, Live: false, FrameCount: vtestFrames, FPS: info.FPS, Width: vtestWidth, Height: vtestHeight}
	if info != want {
		t.Errorf("Info() = %+v, want %+v", info, want)
	}
	if info.FPS <= 0 {
		t.Errorf("Info().FPS = %v, want the rate reported by the backend (> 0)", info.FPS)
	}

	start := time.Now()
	frames := readAll(t, s)
	elapsed := time.Since(start)
	if len(frames) != vtestFrames {
		t.Fatalf("read %d frames to EOF, want %d", len(frames), vtestFrames)
	}
	var prevCapture int64
	for i, f := range frames {
		if f.Seq != int64(i) {
			t.Fatalf("frame %d has Seq %d", i, f.Seq)
		}
		if f.Encoding != framewirepb.Encoding_ENCODING_JPEG || f.Width != vtestWidth || f.Height != vtestHeight {
			t.Fatalf("frame %d: encoding %v size %dx%d, want JPEG %dx%d", i, f.Encoding, f.Width, f.Height, vtestWidth, vtestHeight)
		}
		if !looksLikeJPEG(f.Data) {
			t.Fatalf("frame %d: %d bytes do not start with SOI and end with EOI", i, len(f.Data))
		}
		if f.CaptureUnixNano < start.Add(-time.Minute).UnixNano() || f.CaptureUnixNano > time.Now().UnixNano() {
			t.Fatalf("frame %d: CaptureUnixNano %d is not a recent time", i, f.CaptureUnixNano)
		}
		if i > 0 && f.CaptureUnixNano < prevCapture {
			t.Fatalf("frame %d: CaptureUnixNano goes back in time", i)
		}
		prevCapture = f.CaptureUnixNano
	}
	for _, i := range []int{0, 397, vtestFrames - 1} {
		m := decodeJPEG(t, frames[i].Data)
		if m.Cols() != vtestWidth || m.Rows() != vtestHeight {
			t.Errorf("frame %d decodes to %dx%d, want %dx%d", i, m.Cols(), m.Rows(), vtestWidth, vtestHeight)
		}
		m.Close()
	}
	t.Logf("read and encoded %d frames in %v (%.2f ms/frame)", len(frames), elapsed, float64(elapsed.Milliseconds())/float64(len(frames)))

	for range 2 {
		if _, err := s.Next(context.Background()); !errors.Is(err, io.EOF) {
			t.Fatalf("Next after EOF = %v, want io.EOF again", err)
		}
	}
}

func TestFileDataOwnedByCaller(t *testing.T) {
	path := needVtest(t)
	s := openT(t, path, Options{})
	first, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	snapshot := append([]byte(nil), first.Data...)
	for range 5 {
		if _, err := s.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if string(first.Data) != string(snapshot) {
		t.Fatal("Data of an earlier frame changed when later frames were read")
	}
}

func TestFirstFrameCloseToRaw(t *testing.T) {
	path := needVtest(t)
	raw := rawFrame(t, path, 0)
	defer raw.Close()
	later := rawFrame(t, path, 600)
	defer later.Close()

	s := openT(t, path, Options{Quality: 90})
	f, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := decodeJPEG(t, f.Data)
	defer got.Close()

	const tolerance = 3.0 // mean absolute error per channel of a quality-90 JPEG
	d := meanAbsDiff(t, got, raw)
	t.Logf("mean abs diff of decoded frame 0 vs raw frame 0: %.3f", d)
	if d > tolerance {
		t.Errorf("decoded frame 0 differs from raw frame 0 by %.3f on average, want <= %.1f", d, tolerance)
	}
	// The comparison can tell frames apart: frame 600 of vtest.avi differs more.
	if other := meanAbsDiff(t, got, later); other <= d {
		t.Errorf("decoded frame 0 is as close to raw frame 600 (%.3f) as to raw frame 0 (%.3f)", other, d)
	}
}

func TestFileQualityChangesSize(t *testing.T) {
	path := needVtest(t)
	sizes := map[int]int{}
	for _, q := range []int{10, 95} {
		s := openT(t, path, Options{Quality: q})
		f, err := s.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sizes[q] = len(f.Data)
	}
	if sizes[10] >= sizes[95] {
		t.Errorf("quality 10 gives %d bytes, quality 95 %d bytes: want fewer at low quality", sizes[10], sizes[95])
	}
}

func TestFileResize(t *testing.T) {
	path := needVtest(t)
	cases := []struct {
		opts         Options
		wantW, wantH int
	}{
		{Options{Width: 320}, 320, 240},
		{Options{Height: 144}, 192, 144},
		{Options{Width: 100, Height: 50}, 100, 50},
		{Options{Width: 1536}, 1536, 1152},
	}
	for _, c := range cases {
		s := openT(t, path, c.opts)
		if info := s.Info(); info.Width != c.wantW || info.Height != c.wantH {
			t.Errorf("%+v: Info size %dx%d, want %dx%d", c.opts, info.Width, info.Height, c.wantW, c.wantH)
		}
		for i := range 3 {
			f, err := s.Next(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if f.Width != int32(c.wantW) || f.Height != int32(c.wantH) {
				t.Fatalf("%+v: frame %d is %dx%d, want %dx%d", c.opts, i, f.Width, f.Height, c.wantW, c.wantH)
			}
			m := decodeJPEG(t, f.Data)
			if m.Cols() != c.wantW || m.Rows() != c.wantH {
				t.Errorf("%+v: frame %d decodes to %dx%d, want %dx%d", c.opts, i, m.Cols(), m.Rows(), c.wantW, c.wantH)
			}
			m.Close()
		}
	}
}

func TestFileSkipTo(t *testing.T) {
	path := needVtest(t)
	s := openT(t, path, Options{})
	if err := s.SkipTo(700); err != nil {
		t.Fatalf("SkipTo(700): %v", err)
	}
	frames := readAll(t, s)
	if len(frames) != vtestFrames-700 {
		t.Fatalf("read %d frames after SkipTo(700), want %d", len(frames), vtestFrames-700)
	}
	for i, f := range frames {
		if f.Seq != int64(700+i) {
			t.Fatalf("frame %d after SkipTo(700) has Seq %d, want %d", i, f.Seq, 700+i)
		}
	}

	// The frame after the skip is really frame 700, not merely labelled so.
	raw := rawFrame(t, path, 700)
	defer raw.Close()
	got := decodeJPEG(t, frames[0].Data)
	defer got.Close()
	wrong := rawFrame(t, path, 600)
	defer wrong.Close()
	d, dWrong := meanAbsDiff(t, got, raw), meanAbsDiff(t, got, wrong)
	if d > 3 || dWrong <= d {
		t.Errorf("frame labelled 700 differs from raw frame 700 by %.3f and from raw frame 600 by %.3f", d, dWrong)
	}
}

func TestFileSkipToEdgeCases(t *testing.T) {
	path := needVtest(t)
	s := openT(t, path, Options{})
	if err := s.SkipTo(0); err != nil {
		t.Fatalf("SkipTo(0) on a fresh source: %v", err)
	}
	f, err := s.Next(context.Background())
	if err != nil || f.Seq != 0 {
		t.Fatalf("Next after SkipTo(0) = seq %v, %v; want seq 0", f.GetSeq(), err)
	}
	if err := s.SkipTo(0); err == nil {
		t.Error("SkipTo(0) after frame 0 was returned: want an error (cannot go back)")
	}
	if err := s.SkipTo(1); err != nil {
		t.Errorf("SkipTo(1) when frame 1 is next: %v", err)
	}
	if err := s.SkipTo(5); err != nil {
		t.Fatalf("SkipTo(5): %v", err)
	}
	if f, err := s.Next(context.Background()); err != nil || f.Seq != 5 {
		t.Fatalf("Next after SkipTo(5) = seq %v, %v; want seq 5", f.GetSeq(), err)
	}

	err = s.SkipTo(10_000)
	if !errors.Is(err, io.EOF) {
		t.Fatalf("SkipTo past the end = %v, want an error wrapping io.EOF", err)
	}
	t.Logf("SkipTo past the end: %v", err)
	if _, err := s.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Fatalf("Next after skipping past the end = %v, want io.EOF", err)
	}
}

func TestFileMaxFPSPaces(t *testing.T) {
	path := needVtest(t)
	s := openT(t, path, Options{MaxFPS: 50})
	start := time.Now()
	for i := range 10 {
		f, err := s.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if f.Seq != int64(i) {
			t.Fatalf("frame %d has Seq %d: a finite source must not drop frames under MaxFPS", i, f.Seq)
		}
	}
	// Frames 1..9 each wait for a 20 ms slot after frame 0.
	if elapsed := time.Since(start); elapsed < 180*time.Millisecond {
		t.Errorf("10 frames at MaxFPS 50 took %v, want >= 180ms", elapsed)
	} else {
		t.Logf("10 frames at MaxFPS 50 took %v", elapsed)
	}
}

func TestFileMaxFPSContextCancel(t *testing.T) {
	path := needVtest(t)
	s := openT(t, path, Options{MaxFPS: 4}) // 250 ms between frames
	if _, err := s.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Next(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next with a 20ms deadline during a 250ms wait = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 200*time.Millisecond {
		t.Errorf("cancelled Next returned after %v, want soon after the 20ms deadline", elapsed)
	}
	// No frame was lost by the cancelled wait.
	f, err := s.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f.Seq != 1 {
		t.Errorf("Next after a cancelled wait returned Seq %d, want 1", f.Seq)
	}

	done, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	if _, err := s.Next(done); !errors.Is(err, context.Canceled) {
		t.Errorf("Next with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestCloseTwiceAndUseAfterClose(t *testing.T) {
	path := needVtest(t)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Next(context.Background()); err == nil {
		t.Error("Next after Close: want an error")
	}
	if err := s.SkipTo(3); err == nil {
		t.Error("SkipTo after Close: want an error")
	}
	if s.Info().Kind != KindFile {
		t.Errorf("Info after Close = %+v, want it still describing the file", s.Info())
	}
}

// Raw frames are the decoded pixels themselves: frame 0 is byte-identical
// to OpenCV's own read; resized, it has the asked size; above MaxRawBytes
// it goes as JPEG.
func TestFileRawFrames(t *testing.T) {
	path := needVtest(t)
	want := rawFrame(t, path, 0)
	defer want.Close()
	cases := []struct {
		opts         Options
		enc          framewirepb.Encoding
		wantW, wantH int
	}{
		{Options{Raw: true}, framewirepb.Encoding_ENCODING_RAW_BGR, vtestWidth, vtestHeight},
		{Options{Raw: true, MaxRawBytes: vtestWidth * vtestHeight * 3}, framewirepb.Encoding_ENCODING_RAW_BGR, vtestWidth, vtestHeight},
		{Options{Raw: true, Width: 320}, framewirepb.Encoding_ENCODING_RAW_BGR, 320, 240},
		{Options{Raw: true, MaxRawBytes: vtestWidth*vtestHeight*3 - 1}, framewirepb.Encoding_ENCODING_JPEG, vtestWidth, vtestHeight},
	}
	for _, c := range cases {
		f, err := openT(t, path, c.opts).Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if f.Encoding != c.enc || f.Width != int32(c.wantW) || f.Height != int32(c.wantH) {
			t.Errorf("%+v: %v %dx%d, want %v %dx%d", c.opts, f.Encoding, f.Width, f.Height, c.enc, c.wantW, c.wantH)
			continue
		}
		if c.enc != framewirepb.Encoding_ENCODING_RAW_BGR {
			continue
		}
		if len(f.Data) != c.wantW*c.wantH*3 {
			t.Errorf("%+v: %d bytes, want %d", c.opts, len(f.Data), c.wantW*c.wantH*3)
		} else if c.opts.Width == 0 && !bytes.Equal(f.Data, want.ToBytes()) {
			t.Errorf("%+v: raw frame 0 is not OpenCV's frame 0", c.opts)
		}
	}
}

// A limit learnt while the source runs (the server's largest message)
// turns raw frames above it into JPEG; a higher one changes nothing.
func TestFileLimitRaw(t *testing.T) {
	path := needVtest(t)
	s := openT(t, path, Options{Raw: true})
	for _, c := range []struct {
		limit int
		want  framewirepb.Encoding
	}{
		{0, framewirepb.Encoding_ENCODING_RAW_BGR},
		{vtestWidth * vtestHeight * 3, framewirepb.Encoding_ENCODING_RAW_BGR},
		{1 << 20, framewirepb.Encoding_ENCODING_JPEG},
		{16 << 20, framewirepb.Encoding_ENCODING_JPEG},
	} {
		s.LimitRaw(c.limit)
		f, err := s.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if f.Encoding != c.want {
			t.Errorf("after LimitRaw(%d): %v, want %v", c.limit, f.Encoding, c.want)
		}
	}
}

package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/framewire/framewire/capture/frameenc"
	framewirepb "github.com/framewire/framewire/proto"
)

// needFFmpeg skips when the ffmpeg command, which makes the test media,
// is absent.
func needFFmpeg(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		tb.Skip("ffmpeg is needed to make test media (apt-get install ffmpeg)")
	}
}

// makeClip encodes frames of lavfi test pattern src (testsrc, testsrc2)
// at size as H.264 into dir/name, whose extension picks the container.
// Noise makes every frame, down to its last row, unlike the one before,
// as a camera's are.
func makeClip(tb testing.TB, dir, name, src, size string, frames int) string {
	tb.Helper()
	needFFmpeg(tb)
	path := filepath.Join(dir, name)
	cmd := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", fmt.Sprintf("%s=size=%s:rate=25", src, size),
		"-vf", "noise=alls=40:allf=t", "-frames:v", fmt.Sprint(frames), "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("make %s: %v\n%s", name, err, out)
	}
	return path
}

// cutFile writes the first percent of src's bytes to dir/name.
func cutFile(tb testing.TB, src, dir, name string, percent int) string {
	tb.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b[:len(b)*percent/100], 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// joinFiles writes the bytes of srcs, one after the other, to dir/name.
func joinFiles(tb testing.TB, dir, name string, srcs ...string) string {
	tb.Helper()
	var all []byte
	for _, p := range srcs {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, b...)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, all, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// readToEnd reads frames until Next fails and returns them with the
// error that ended them.
func readToEnd(s *frameenc.Source) ([]*framewirepb.Frame, error) {
	var frames []*framewirepb.Frame
	for {
		f, err := s.Next(context.Background())
		if err != nil {
			return frames, err
		}
		frames = append(frames, f)
	}
}

func TestTruncatedFileEndsEarly(t *testing.T) {
	dir := t.TempDir()
	whole := makeClip(t, dir, "whole.mp4", "testsrc", "160x120", 100)
	cut := cutFile(t, whole, dir, "cut.mp4", 40)

	frames := readAll(t, openT(t, whole, Options{}))
	if len(frames) != 100 {
		t.Fatalf("the whole file gave %d frames, want 100", len(frames))
	}
	s := openT(t, cut, Options{})
	if got := s.Info().FrameCount; got != 100 {
		t.Fatalf("the cut file declares %d frames, want 100", got)
	}
	frames, err := readToEnd(s)
	var ended *EndedEarlyError
	if !errors.As(err, &ended) || !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		t.Fatalf("after %d frames Next returned %v, want an *EndedEarlyError wrapping io.ErrUnexpectedEOF", len(frames), err)
	}
	if len(frames) == 0 || len(frames) >= 100 || ended.Read != int64(len(frames)) || ended.Declared != 100 {
		t.Fatalf("read %d frames, error says %d of %d; want the frames read of 100", len(frames), ended.Read, ended.Declared)
	}
	if _, again := s.Next(context.Background()); again != err {
		t.Errorf("second Next after the end returned %v, want the same error", again)
	}
	t.Logf("%v", err)

	// A resumed run skips the frames already done and must end the same way.
	r := openT(t, cut, Options{})
	err = r.SkipTo(ended.Read)
	if err == nil {
		_, err = r.Next(context.Background())
	}
	if !errors.As(err, &ended) || ended.Declared != 100 {
		t.Fatalf("skipping the %d frames read, then reading: %v; want an *EndedEarlyError", len(frames), err)
	}
}

func TestCompleteEstimatedCountEndsWithEOF(t *testing.T) {
	// MPEG-TS declares no frame count: FFmpeg estimates one from the
	// duration, and a complete file must still end cleanly.
	ts := makeClip(t, t.TempDir(), "clip.ts", "testsrc", "160x120", 33)
	if frames := readAll(t, openT(t, ts, Options{})); len(frames) != 33 {
		t.Fatalf("%d frames, want 33", len(frames))
	}
}

// gstH264Plugins are the GStreamer plugins that demux and decode H.264 in
// MPEG-TS.
var gstH264Plugins = []string{"libgstlibav.so", "libgstmpegtsdemux.so", "libgstvideoparsersbad.so"}

// haveGstPlugins says whether every one of the GStreamer plugin files is installed.
func haveGstPlugins(names ...string) bool {
	for _, n := range names {
		m, _ := filepath.Glob("/usr/lib/*/gstreamer-1.0/" + n)
		if len(m) == 0 {
			return false
		}
	}
	return true
}

func TestFileSizeChangeMidStream(t *testing.T) {
	dir := t.TempDir()
	small := makeClip(t, dir, "small.ts", "testsrc", "320x240", 40)
	large := makeClip(t, dir, "large.ts", "testsrc2", "768x576", 40)
	for _, tc := range []struct {
		name        string
		parts       []string
		first, then [2]int32
	}{
		{"grows", []string{small, large}, [2]int32{320, 240}, [2]int32{768, 576}},
		{"shrinks", []string{large, small}, [2]int32{768, 576}, [2]int32{320, 240}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			joined := joinFiles(t, dir, tc.name+".ts", tc.parts...)
			r, err := openVideo(joined, Options{Raw: true})
			if err != nil {
				t.Fatal(err)
			}
			s := Encode(r, Options{Raw: true})
			defer s.Close()
			frames, err := readFollowing(t, s, r)
			if !haveGstPlugins(gstH264Plugins...) {
				checkRefused(t, frames, err)
				return
			}
			if !errors.Is(err, io.EOF) {
				t.Fatalf("after %d frames: %v, want io.EOF", len(frames), err)
			}
			checkOwnSizes(t, frames, tc.first, tc.then)
		})
	}
}

// readFollowing reads s, r encoded, to its end, checking that r reads the first
// clip through FFmpeg and moves to GStreamer by frame 40, the first of the
// second. (FFmpeg's decoder shows the change a frame or two early, when
// the new picture size arrives.)
func readFollowing(t *testing.T, s *frameenc.Source, r *VideoReader) ([]*framewirepb.Frame, error) {
	t.Helper()
	var frames []*framewirepb.Frame
	for {
		f, err := s.Next(context.Background())
		if err != nil {
			return frames, err
		}
		if i := len(frames); (i < 30 && r.followed) || (i >= 40 && !r.followed) {
			t.Errorf("frame %d read through GStreamer: %v, want %v", i, r.followed, i >= 40)
		}
		frames = append(frames, f)
	}
}

// checkOwnSizes checks 80 raw frames: 40 of size first, 40 of size then,
// each with other pixels than the frame before.
func checkOwnSizes(t *testing.T, frames []*framewirepb.Frame, first, then [2]int32) {
	t.Helper()
	if len(frames) != 80 {
		t.Fatalf("%d frames, want 80", len(frames))
	}
	for i, f := range frames {
		want := first
		if i >= 40 {
			want = then
		}
		if got := [2]int32{f.GetWidth(), f.GetHeight()}; got != want || f.GetEncoding() != framewirepb.Encoding_ENCODING_RAW_BGR {
			t.Errorf("frame %d: %dx%d %v, want %dx%d raw", i, got[0], got[1], f.GetEncoding(), want[0], want[1])
		}
		if len(f.GetData()) != int(f.GetWidth()*f.GetHeight()*3) {
			t.Errorf("frame %d: %d bytes for %dx%d", i, len(f.GetData()), f.GetWidth(), f.GetHeight())
		}
		if i > 0 && bytes.Equal(f.GetData(), frames[i-1].GetData()) {
			t.Errorf("frame %d holds the same pixels as frame %d", i, i-1)
		}
	}
}

// checkRefused checks that, without GStreamer's H.264 plugins, reading
// stopped loudly where the second clip shows.
func checkRefused(t *testing.T, frames []*framewirepb.Frame, err error) {
	t.Helper()
	var ended *EndedEarlyError
	if !errors.As(err, &ended) || ended.Read != int64(len(frames)) || len(frames) < 30 || len(frames) > 40 {
		t.Fatalf("without GStreamer's H.264 plugins: %d frames, %v; want those of the first clip and an *EndedEarlyError", len(frames), err)
	}
}

// A letterboxed video repeats its last row (the black bar) in every frame,
// which moves it to GStreamer at frame 1 (see package videofile); its
// frames still carry their positions in the file, 40 ms apart at 25 fps.
func TestLetterboxedVideoKeepsItsPositions(t *testing.T) {
	needFFmpeg(t)
	path := filepath.Join(t.TempDir(), "letterbox.mp4")
	cmd := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25",
		"-vf", "noise=alls=40:allf=t,pad=320:240:0:30:black", "-frames:v", "30", "-c:v", "libx264", "-pix_fmt", "yuv420p", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", path, err, out)
	}
	r, err := openVideo(path, Options{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	s := Encode(r, Options{Raw: true})
	defer s.Close()
	frames, err := readToEnd(s)
	if !errors.Is(err, io.EOF) || len(frames) != 30 {
		t.Fatalf("%d frames, %v; want 30 and io.EOF", len(frames), err)
	}
	if !r.followed {
		t.Fatal("the file was not moved to GStreamer: the test no longer covers positions after the move")
	}
	for i, f := range frames {
		if f.PositionUs == nil || *f.PositionUs != int64(i)*40_000 {
			t.Errorf("frame %d: position %v us, want %d", i, f.PositionUs, i*40_000)
		}
	}
}

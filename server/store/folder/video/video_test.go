package video

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writeFrames writes n small JPEGs into dir and returns them as frames,
// times from pts.
func writeFrames(t *testing.T, dir string, n int, pts func(i int) int64) []Frame {
	t.Helper()
	var frames []Frame
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, 66, 50))
		for p := range img.Pix {
			img.Pix[p] = uint8(i * 7)
		}
		img.Set(i%66, 10, color.White)
		name := fmt.Sprintf("%08d.jpg", i)
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := jpeg.Encode(f, img, nil); err != nil {
			t.Fatal(err)
		}
		f.Close()
		frames = append(frames, Frame{Seq: int64(i), PTSUs: pts(i), Image: name})
	}
	return frames
}

func needFFmpeg(t *testing.T) string {
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("no ffmpeg (scripts/setup.sh installs it)")
	}
	return p
}

// probe returns ffprobe's frame count and duration of a file or playlist.
func probe(t *testing.T, file string) (int, float64) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v",
		"-show_entries", "stream=codec_name,nb_read_frames:format=duration", "-of", "default=nw=1", file).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", file, err, out)
	}
	var frames int
	var dur float64
	for _, l := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(l, "=")
		switch k {
		case "codec_name":
			if v != "h264" {
				t.Errorf("%s: codec %s, want h264", file, v)
			}
		case "nb_read_frames":
			frames, _ = strconv.Atoi(v)
		case "duration":
			dur, _ = strconv.ParseFloat(v, 64)
		}
	}
	return frames, dur
}

func TestSegmentsHoldEveryFrameWithItsTime(t *testing.T) {
	ffmpeg := needFFmpeg(t)
	dir := t.TempDir()
	if d := os.Getenv("VIDEO_TEST_DIR"); d != "" {
		dir = d
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	os.Mkdir(filepath.Join(dir, "s"), 0o777)
	// 37 frames a varying time apart (a live source dropping frames).
	frames := writeFrames(t, filepath.Join(dir, "s"), 37, func(i int) int64 { return int64(i*100_000 + i*i*1000) })
	var made int
	r, err := Open(root, "s", Config{FFmpeg: ffmpeg, Segment: time.Second}, false, frames[:5], func(f []Frame) { made += len(f) })
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames[5:] {
		r.Add(f)
	}
	r.Close(true)
	x, err := ReadIndex(root.FS(), "s/video")
	if err != nil {
		t.Fatal(err)
	}
	total, want := 0, float64(frames[36].PTSUs+frames[36].PTSUs-frames[35].PTSUs)/1e6
	var next int64
	for _, s := range x.Segments {
		n, dur := probe(t, filepath.Join(dir, "s/video", s.File))
		if n != s.Count || s.Frames[0][0] != next {
			t.Errorf("segment %d: %d frames from %d, its index says %d from %d", s.N, n, next, s.Count, s.Frames[0][0])
		}
		if got := float64(s.BaseTicks+s.Ticks) / Timescale; dur < got-0.002 || dur > got+0.002 {
			t.Errorf("segment %d ends at %.3f s, want %.3f", s.N, dur, got)
		}
		total += n
		next = s.Frames[len(s.Frames)-1][1]
	}
	if total != 37 || made != 37 || len(x.Segments) < 3 || !x.Ended {
		t.Errorf("%d frames in %d segments (%d made), ended %v; want 37 in 3 or more, ended", total, len(x.Segments), made, x.Ended)
	}
	n, dur := probe(t, filepath.Join(dir, "s/video", PlaylistFile))
	if n != 37 {
		t.Errorf("the playlist plays %d frames, want 37", n)
	}
	if dur < want-0.002 || dur > want+0.002 {
		t.Errorf("the playlist lasts %.3f s, want %.3f", dur, want)
	}
}

func TestLiveSegmentsBeyondKeepGo(t *testing.T) {
	ffmpeg := needFFmpeg(t)
	dir := t.TempDir()
	root, _ := os.OpenRoot(dir)
	defer root.Close()
	os.Mkdir(filepath.Join(dir, "s"), 0o777)
	frames := writeFrames(t, filepath.Join(dir, "s"), 30, func(i int) int64 { return int64(i) * 100_000 })
	r, err := Open(root, "s", Config{FFmpeg: ffmpeg, Segment: 500 * time.Millisecond, KeepDuration: time.Second}, true, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		r.Add(f)
	}
	r.Close(false)
	x, _ := ReadIndex(root.FS(), "s/video")
	mp4s, _ := filepath.Glob(filepath.Join(dir, "s/video/*.mp4"))
	if len(x.Segments) != 2 || len(mp4s) != 2 || x.Segments[1].N != 5 {
		t.Errorf("kept %d segments (%d files), last %+v; want the newest 2 of 6", len(x.Segments), len(mp4s), x.Segments)
	}
	pl, _ := os.ReadFile(filepath.Join(dir, "s/video", PlaylistFile))
	if !strings.Contains(string(pl), "#EXT-X-MEDIA-SEQUENCE:4") || strings.Contains(string(pl), "ENDLIST") {
		t.Errorf("playlist:\n%s", pl)
	}
}

package join

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/framewire/framewire/server/store/folder/video"
)

// rawFrame is frame i as I420 pixels of w x h, a pattern moving with i.
func rawFrame(i, w, h int, pts int64) video.Frame {
	px := make([]byte, w*h*3/2)
	for p := range w * h {
		px[p] = uint8(p%w + i*5)
	}
	for p := w * h; p < len(px); p++ {
		px[p] = 128
	}
	return video.Frame{Seq: int64(i), PTSUs: pts, Image: "none.jpg", Pixels: px, Width: w, Height: h}
}

// probe returns ffprobe's frame count, picture size and duration of file.
func probe(t *testing.T, file string) (frames int, size string, seconds float64) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v",
		"-show_entries", "stream=nb_read_frames,width,height:format=duration", "-of", "default=nw=1", file).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", file, err, out)
	}
	var w, h string
	for _, l := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(l, "=")
		switch k {
		case "nb_read_frames":
			frames, _ = strconv.Atoi(v)
		case "width":
			w = v
		case "height":
			h = v
		case "duration":
			seconds, _ = strconv.ParseFloat(v, 64)
		}
	}
	return frames, w + "x" + h, seconds
}

// record makes the video of frames in dir's stream folder s.
func record(t *testing.T, root *os.Root, frames []video.Frame) video.Index {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("no ffmpeg (scripts/setup.sh installs it)")
	}
	root.Mkdir("s", 0o777)
	r, err := video.Open(root, "s", video.Config{FFmpeg: ffmpeg, Segment: time.Second}, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		r.Add(f)
	}
	r.Close(true)
	x, err := video.ReadIndex(root.FS(), "s/video")
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// joined joins x and returns ffprobe's view of the result.
func joined(t *testing.T, root *os.Root, x video.Index) (int, string, float64) {
	t.Helper()
	var b bytes.Buffer
	if err := Join(context.Background(), &b, root.FS(), "s/video", x, "ffmpeg"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "joined.mp4")
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return probe(t, file)
}

// pts are times 100 ms apart but for a gap of 5 s after frame 11
// (shown for a segment's length, 1 s) and 20 ms from frame 30 on: 4.1 s
// for 40 frames.
func pts(i int) int64 {
	switch {
	case i >= 31:
		return int64(i)*100_000 + 5_000_000 - 80_000*int64(i-30)
	case i >= 12:
		return int64(i)*100_000 + 5_000_000
	}
	return int64(i) * 100_000
}

func TestSegmentsOfOneSizeJoinAsTheyAre(t *testing.T) {
	root, _ := os.OpenRoot(t.TempDir())
	defer root.Close()
	var frames []video.Frame
	for i := range 40 {
		frames = append(frames, rawFrame(i, 64, 48, pts(i)))
	}
	x := record(t, root, frames)
	if n, size, dur := joined(t, root, x); n != 40 || size != "64x48" || dur < 4.0995 || dur > 4.1005 {
		t.Errorf("joined video: %d frames of %s in %.4f s, want 40 of 64x48 in 4.1000", n, size, dur)
	}
}

func TestSegmentsOfTwoSizesJoinEncodedAgainAtTheLarger(t *testing.T) {
	root, _ := os.OpenRoot(t.TempDir())
	defer root.Close()
	var frames []video.Frame
	for i := range 40 {
		w, h := 64, 48
		if i >= 25 {
			w, h = 96, 72
		}
		frames = append(frames, rawFrame(i, w, h, pts(i)))
	}
	x := record(t, root, frames)
	if n, size, dur := joined(t, root, x); n != 40 || size != "96x72" || dur < 4.0995 || dur > 4.1005 {
		t.Errorf("joined video: %d frames of %s in %.4f s, want 40 of 96x72 in 4.1000", n, size, dur)
	}
}

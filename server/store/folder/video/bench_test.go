package video

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// vtest is OpenCV's sample clip, the one docs/video.md measures on.
const vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// BenchmarkEncoder measures the CPU time per frame of making the video
// of vtest.avi's first 200 frames from their pixels (I420, as the server
// hands them over), at its own size and at 1080p: the encoder's (ffmpeg's
// children) and the recorder's own.
//
//	go test -run X -bench Encoder -benchtime 1x ./server/store/folder/video/
func BenchmarkEncoder(b *testing.B) {
	if _, err := os.Stat(vtest); err != nil {
		b.Skipf("needs opencv-doc's vtest.avi: %v", err)
	}
	for _, size := range [][2]int{{768, 576}, {1920, 1080}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			frames := vtestFrames(b, size[0], size[1], 200)
			for b.Loop() {
				children, self := usage(syscall.RUSAGE_CHILDREN), usage(syscall.RUSAGE_SELF)
				encodeAll(b, frames)
				n := float64(len(frames))
				b.ReportMetric(float64((usage(syscall.RUSAGE_CHILDREN)-children).Microseconds())/1000/n, "encoder-ms/frame")
				b.ReportMetric(float64((usage(syscall.RUSAGE_SELF)-self).Microseconds())/1000/n, "recorder-ms/frame")
			}
		})
	}
}

// vtestFrames are the first n frames of vtest.avi as I420 of w x h, 100
// ms apart.
func vtestFrames(b *testing.B, w, h, n int) []Frame {
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", vtest, "-frames:v", fmt.Sprint(n), "-vf", fmt.Sprintf("scale=%d:%d", w, h),
		"-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1").Output()
	if err != nil {
		b.Fatalf("decode %s: %v", vtest, err)
	}
	size := w * h * 3 / 2
	var frames []Frame
	for i := 0; (i+1)*size <= len(out); i++ {
		frames = append(frames, Frame{Seq: int64(i), PTSUs: int64(i) * 100_000, Pixels: out[i*size : (i+1)*size], Width: w, Height: h})
	}
	return frames
}

// encodeAll makes the video of frames in a new folder.
func encodeAll(b *testing.B, frames []Frame) {
	root, err := os.OpenRoot(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer root.Close()
	root.Mkdir("s", 0o777)
	r, err := Open(root, "s", Config{FFmpeg: "ffmpeg", Segment: 4 * time.Second}, false, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range frames {
		r.Add(f)
	}
	r.Close(true)
}

// usage is the CPU time of who (RUSAGE_SELF or RUSAGE_CHILDREN).
func usage(who int) time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

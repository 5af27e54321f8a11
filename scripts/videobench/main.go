// Command videobench measures the CPU time per frame of writing H.264
// through OpenCV's VideoWriter (FFmpeg backend), for docs/video.md: the
// same frames as the ffmpeg and gst-launch measurements there.
//
//	go run ./scripts/videobench -in vtest.avi -size 768x576 -frames 795
package main

import (
	"flag"
	"fmt"
	"image"
	"os"
	"syscall"
	"time"

	"gocv.io/x/gocv"
)

func main() {
	in := flag.String("in", "/usr/share/doc/opencv-doc/examples/data/vtest.avi", "video to read")
	w := flag.Int("w", 768, "width")
	h := flag.Int("h", 576, "height")
	n := flag.Int("frames", 200, "frames")
	fourcc := flag.String("fourcc", "avc1", "fourcc")
	out := flag.String("out", "/tmp/videobench.mp4", "output")
	flag.Parse()
	if err := run(*in, *out, *fourcc, *w, *h, *n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(in, out, fourcc string, w, h, n int) error {
	frames, err := load(in, w, h, n)
	if err != nil {
		return err
	}
	defer func() {
		for _, m := range frames {
			m.Close()
		}
	}()
	before, t := cpu(), time.Now()
	vw, err := gocv.VideoWriterFile(out, fourcc, 10, w, h, true)
	if err != nil {
		return fmt.Errorf("open writer: %w", err)
	}
	for _, m := range frames {
		if err := vw.Write(m); err != nil {
			return err
		}
	}
	vw.Close()
	used := cpu() - before
	fmt.Printf("opencv %s %dx%d: %d frames, cpu %.2f ms/frame, wall %.2f ms/frame\n", fourcc, w, h, len(frames),
		float64(used.Microseconds())/1000/float64(len(frames)), float64(time.Since(t).Microseconds())/1000/float64(len(frames)))
	return nil
}

func load(in string, w, h, n int) ([]gocv.Mat, error) {
	vc, err := gocv.OpenVideoCapture(in)
	if err != nil {
		return nil, err
	}
	defer vc.Close()
	var frames []gocv.Mat
	for range n {
		m := gocv.NewMat()
		if !vc.Read(&m) || m.Empty() {
			m.Close()
			break
		}
		gocv.Resize(m, &m, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)
		frames = append(frames, m)
	}
	return frames, nil
}

func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

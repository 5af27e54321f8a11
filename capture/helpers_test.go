package capture

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/capture/frameenc"
	framewirepb "github.com/framewire/framewire/proto"
)

const (
	vtestPath   = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
	vtestFrames = 795
	vtestWidth  = 768
	vtestHeight = 576

	// testPipeline stands in for a live camera.
	testPipeline = "videotestsrc is-live=true ! video/x-raw,width=640,height=480,framerate=30/1 ! videoconvert ! appsink"
)

// needVtest returns the path of OpenCV's sample video, skipping when it is absent.
func needVtest(tb testing.TB) string {
	tb.Helper()
	if _, err := os.Stat(vtestPath); err != nil {
		tb.Skipf("sample video %s not available (install opencv-doc): %v", vtestPath, err)
	}
	return vtestPath
}

// needVideotestsrc skips when the GStreamer videotestsrc plugin is absent.
func needVideotestsrc(tb testing.TB) {
	tb.Helper()
	for _, pattern := range []string{
		"/usr/lib/*/gstreamer-1.0/libgstvideotestsrc.so",
		"/usr/lib/gstreamer-1.0/libgstvideotestsrc.so",
		"/usr/lib64/gstreamer-1.0/libgstvideotestsrc.so",
	} {
		if m, _ := filepath.Glob(pattern); len(m) > 0 {
			return
		}
	}
	tb.Skip("GStreamer videotestsrc plugin not installed (install gstreamer1.0-plugins-base)")
}

// openT opens spec and closes it when the test ends.
func openT(tb testing.TB, spec string, opts Options) *frameenc.Source {
	tb.Helper()
	s, err := Open(spec, opts)
	if err != nil {
		tb.Fatalf("Open(%q): %v", spec, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// readAll reads frames until io.EOF.
func readAll(tb testing.TB, s *frameenc.Source) []*framewirepb.Frame {
	tb.Helper()
	var frames []*framewirepb.Frame
	for {
		f, err := s.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return frames
		}
		if err != nil {
			tb.Fatalf("Next after %d frames: %v", len(frames), err)
		}
		frames = append(frames, f)
	}
}

// looksLikeJPEG checks the SOI and EOI markers.
func looksLikeJPEG(data []byte) bool {
	return len(data) > 4 && bytes.HasPrefix(data, []byte{0xFF, 0xD8}) && bytes.HasSuffix(data, []byte{0xFF, 0xD9})
}

// decodeJPEG decodes data into a BGR Mat the caller must Close, failing the
// test when it is not a decodable image.
func decodeJPEG(tb testing.TB, data []byte) gocv.Mat {
	tb.Helper()
	m, err := gocv.IMDecode(data, gocv.IMReadColor)
	if err != nil {
		tb.Fatalf("IMDecode: %v", err)
	}
	if m.Empty() {
		m.Close()
		tb.Fatalf("IMDecode: %d bytes are not a decodable image", len(data))
	}
	return m
}

// meanAbsDiff is the mean absolute difference of two same-sized BGR images,
// averaged over channels.
func meanAbsDiff(tb testing.TB, a, b gocv.Mat) float64 {
	tb.Helper()
	if a.Rows() != b.Rows() || a.Cols() != b.Cols() || a.Type() != b.Type() {
		tb.Fatalf("cannot compare %dx%d type %v with %dx%d type %v", a.Cols(), a.Rows(), a.Type(), b.Cols(), b.Rows(), b.Type())
	}
	diff := gocv.NewMat()
	defer diff.Close()
	gocv.AbsDiff(a, b, &diff)
	m := diff.Mean()
	return (m.Val1 + m.Val2 + m.Val3) / 3
}

// rawFrame reads frame index of path straight from OpenCV, without capture.
func rawFrame(tb testing.TB, path string, index int) gocv.Mat {
	tb.Helper()
	vc, err := gocv.VideoCaptureFile(path)
	if err != nil {
		vc.Close()
		tb.Fatalf("open %s with gocv: %v", path, err)
	}
	defer vc.Close()
	m := gocv.NewMat()
	for i := 0; i <= index; i++ {
		if !vc.Read(&m) || m.Empty() {
			m.Close()
			tb.Fatalf("read raw frame %d of %s: no frame", i, path)
		}
	}
	return m
}

package pixels

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/pixels/pixelstest"
)

// TestJPEGSizeMatchesTheStandardLibrary reads the size of every JPEG
// opencv-doc and darknet ship, and compares it with image/jpeg's.
func TestJPEGSizeMatchesTheStandardLibrary(t *testing.T) {
	var files []string
	for _, pattern := range []string{"/usr/share/doc/opencv-doc/examples/data/*.jpg", "/usr/share/darknet/data/*.jpg"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("needs JPEGs from opencv-doc or darknet (apt-get install opencv-doc darknet)")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cfg, stdErr := jpeg.DecodeConfig(bytes.NewReader(b))
		w, h, err := jpegSize(b)
		if stdErr != nil {
			continue // a variant image/jpeg does not read; OpenCV may
		}
		if err != nil || w != cfg.Width || h != cfg.Height {
			t.Errorf("%s: got %dx%d (%v), image/jpeg says %dx%d", f, w, h, err, cfg.Width, cfg.Height)
		}
	}
	for _, bad := range [][]byte{nil, {0xff}, {0xff, 0xd8}, {0xff, 0xd8, 0xff, 0xda, 0, 2}, {0xff, 0xd8, 0x00, 0x00}, {0xff, 0xd8, 0xff, 0xc0, 0, 17, 8}} {
		if _, _, err := jpegSize(bad); err == nil {
			t.Errorf("jpegSize(% x) found a size", bad)
		}
	}
}

// TestPixelMeanIsTheMeanOfEveryByte checks the one-channel sum against a
// plain sum of the bytes, on a whole frame and on a part of one (not
// continuous, so the per-channel path).
func TestPixelMeanIsTheMeanOfEveryByte(t *testing.T) {
	img, err := decodeFrame(pixelstest.VtestFrame(t))
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	part := img.Region(image.Rect(10, 20, 110, 90))
	defer part.Close()
	for _, m := range []gocv.Mat{img, part} {
		clone := m.Clone()
		b, err := clone.DataPtrUint8()
		if err != nil {
			t.Fatal(err)
		}
		var sum uint64
		for _, x := range b {
			sum += uint64(x)
		}
		clone.Close()
		want := float32(float64(sum) / float64(len(b)))
		if got := pixelMean(m); math.Abs(float64(got-want)) > 1e-4 {
			t.Errorf("continuous %v: pixelMean = %v, want %v", m.IsContinuous(), got, want)
		}
	}
}

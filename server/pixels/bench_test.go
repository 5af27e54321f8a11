package pixels

import (
	"bytes"
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/pixels/pixelstest"
)

// BenchmarkCheckDecode is the decode stage of a frame: header check, JPEG
// decode to a Mat, pixel mean.
func BenchmarkCheckDecode(b *testing.B) {
	f := pixelstest.VtestFrame(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(f.Data)))
	for b.Loop() {
		if err := checkFrame(f, DefaultMaxPixels); err != nil {
			b.Fatal(err)
		}
		img, err := decodeFrame(f)
		if err != nil {
			b.Fatal(err)
		}
		pixelMean(img)
		img.Close()
	}
}

// BenchmarkCheckFrame is the header check alone.
func BenchmarkCheckFrame(b *testing.B) {
	f := pixelstest.VtestFrame(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := checkFrame(f, DefaultMaxPixels); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeAnnotated is the JPEG encoding of the annotated frame and
// its copy out of C memory, as a picture's Annotate does.
func BenchmarkEncodeAnnotated(b *testing.B) {
	f := pixelstest.VtestFrame(b)
	img, err := decodeFrame(f)
	if err != nil {
		b.Fatal(err)
	}
	defer img.Close()
	params := []int{gocv.IMWriteJpegQuality, 90}
	b.ReportAllocs()
	for b.Loop() {
		buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, params)
		if err != nil {
			b.Fatal(err)
		}
		_ = bytes.Clone(buf.GetBytes())
		buf.Close()
	}
}

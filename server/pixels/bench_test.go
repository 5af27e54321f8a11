package pixels

import (
	"bytes"
	"os"
	"testing"

	"gocv.io/x/gocv"

	pb "github.com/framewire/framewire/proto"
)

// vtestAVI is OpenCV's 768x576 pedestrian clip (Debian's opencv-doc).
const vtestAVI = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// vtestFrame returns vtest.avi's first frame as a JPEG Frame (quality 90,
// as framewire-capture sends it).
func vtestFrame(b *testing.B) *pb.Frame {
	b.Helper()
	if _, err := os.Stat(vtestAVI); err != nil {
		b.Skipf("%s not found (install opencv-doc): %v", vtestAVI, err)
	}
	vc, err := gocv.VideoCaptureFile(vtestAVI)
	if err != nil {
		b.Fatal(err)
	}
	defer vc.Close()
	img := gocv.NewMat()
	defer img.Close()
	if !vc.Read(&img) || img.Empty() {
		b.Fatal("cannot read a frame of vtest.avi")
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, 90})
	if err != nil {
		b.Fatal(err)
	}
	defer buf.Close()
	return &pb.Frame{Encoding: pb.Encoding_ENCODING_JPEG, Data: bytes.Clone(buf.GetBytes()),
		Width: int32(img.Cols()), Height: int32(img.Rows())}
}

// BenchmarkCheckDecode is the decode stage of a frame: header check, JPEG
// decode to a Mat, pixel mean.
func BenchmarkCheckDecode(b *testing.B) {
	f := vtestFrame(b)
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
	f := vtestFrame(b)
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
	f := vtestFrame(b)
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

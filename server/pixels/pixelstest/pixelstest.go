// Package pixelstest gives the pixel tests and benchmarks of the server
// their real media: frames of OpenCV's sample video, encoded as
// framewire-capture sends them.
package pixelstest

import (
	"bytes"
	"os"
	"testing"

	"gocv.io/x/gocv"

	pb "github.com/framewire/framewire/proto"
)

// VtestAVI is OpenCV's 768x576 pedestrian clip (Debian's opencv-doc).
const VtestAVI = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// VtestFrame returns vtest.avi's first frame as a JPEG Frame (quality 90,
// as framewire-capture sends it to another machine); it skips tb when
// the video is missing.
func VtestFrame(tb testing.TB) *pb.Frame {
	tb.Helper()
	if _, err := os.Stat(VtestAVI); err != nil {
		tb.Skipf("%s not found (install opencv-doc): %v", VtestAVI, err)
	}
	vc, err := gocv.VideoCaptureFile(VtestAVI)
	if err != nil {
		tb.Fatal(err)
	}
	defer vc.Close()
	img := gocv.NewMat()
	defer img.Close()
	if !vc.Read(&img) || img.Empty() {
		tb.Fatal("cannot read a frame of vtest.avi")
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, []int{gocv.IMWriteJpegQuality, 90})
	if err != nil {
		tb.Fatal(err)
	}
	defer buf.Close()
	return &pb.Frame{Encoding: pb.Encoding_ENCODING_JPEG, Data: bytes.Clone(buf.GetBytes()),
		Width: int32(img.Cols()), Height: int32(img.Rows())}
}

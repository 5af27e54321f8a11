package server

import (
	"bytes"
	"context"
	"os"
	"testing"

	"gocv.io/x/gocv"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
)

// vtestAVI is OpenCV's 768x576 pedestrian clip (Debian's opencv-doc).
const vtestAVI = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// vtestFrame returns vtest.avi's first frame as a JPEG Frame.
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
	return &pb.Frame{Encoding: pb.Encoding_ENCODING_JPEG, Data: bytes.Clone(buf.GetBytes())}
}

// BenchmarkDetectFrameMean is one whole frame through the pipeline with the
// mean model on one worker: check, decode, mean, encode, write.
func BenchmarkDetectFrameMean(b *testing.B) {
	f := vtestFrame(b)
	srv, err := New(Config{OutDir: b.TempDir(), Model: detect.Config{Kind: detect.KindMean}, Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	p := srv.Service()
	ctx := context.Background()
	req := &pb.DetectFrameRequest{Name: "bench", Frame: f}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.DetectFrame(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

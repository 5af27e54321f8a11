package server

import (
	"context"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/pixels/pixelstest"
)

// BenchmarkDetectFrameMean is one whole frame through the pipeline with the
// mean model on one worker: check, decode, mean, encode, write.
func BenchmarkDetectFrameMean(b *testing.B) {
	f := pixelstest.VtestFrame(b)
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

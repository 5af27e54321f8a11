package rig

import (
	"context"
	"strings"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream/streamtest"
)

// newTestRig is a rig of the mean model, closed when the test ends.
func newTestRig(t *testing.T) (*Bench, *Rig) {
	t.Helper()
	b := &Bench{O: &Options{Window: 4}, Tmp: t.TempDir()}
	r, err := b.NewRig(MeanModel(), 1, b.O.Window)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("close the rig: %v", err)
		}
	})
	return b, r
}

// RunInProcess goes through the service's own StreamFrames: every frame
// is processed and answered, and a frame the service refuses fails the
// run, as it would over gRPC.
func TestRunInProcessStreamsThroughTheService(t *testing.T) {
	b, r := newTestRig(t)
	jpeg := streamtest.JPEG(t, 32, 24)
	var frames []*pb.Frame
	for range 12 {
		frames = append(frames, &pb.Frame{Encoding: pb.Encoding_ENCODING_JPEG, Data: jpeg, Width: 32, Height: 24})
	}
	fps, err := b.RunInProcess(context.Background(), r, frames)
	if err != nil || fps <= 0 {
		t.Fatalf("12 frames in process: %v fps, %v; want them all processed", fps, err)
	}
	frames[5] = &pb.Frame{Encoding: pb.Encoding_ENCODING_JPEG, Data: []byte("not a JPEG")}
	_, err = b.RunInProcess(context.Background(), r, frames)
	if err == nil || !strings.Contains(err.Error(), "frame 5") {
		t.Errorf("a run with a frame that is no image: %v, want frame 5's error", err)
	}
}

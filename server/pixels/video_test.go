package pixels

import (
	"context"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/stream/streamtest"
)

func TestAnnotateHandsTheVideoItsPixelsBeforeTheJPEG(t *testing.T) {
	p, err := New(Config{Model: detect.Config{Kind: detect.KindMean}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	d, err := p.Detect(context.Background(), &pb.Frame{Encoding: pb.Encoding_ENCODING_JPEG, Data: streamtest.JPEG(t, 41, 31)})
	if err != nil {
		t.Fatal(err)
	}
	var got []core.VideoFrame
	d.Picture.(core.VideoPicture).KeepVideo(func(v core.VideoFrame) { got = append(got, v) })
	err = d.Picture.Annotate([]core.Detection{{Label: "x", Box: core.Box{X: 1, Y: 1, W: 5, H: 5}}}, 90, func([]byte) error {
		if len(got) != 1 {
			t.Errorf("the JPEG came with %d video frames before it, want 1", len(got))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d video frames, want 1", len(got))
	}
	if v := got[0]; v.Width != 40 || v.Height != 30 || len(v.I420) != 40*30*3/2 {
		t.Errorf("video frame %dx%d in %d bytes; want 40x30 (the 41x31 picture at even sizes) in 1800", v.Width, v.Height, len(v.I420))
	}
}

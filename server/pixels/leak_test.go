//go:build matprofile

package pixels

import (
	"context"
	"encoding/binary"
	"image/color"
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/internal/exif"
	"github.com/framewire/framewire/internal/exif/exiftest"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/stream/streamtest"
)

// TestNoMatLeaks checks, with gocv's Mat profile, that every way a frame
// can go through the processor (annotated, closed unannotated, refused as
// bad) leaves no Mat open.
func TestNoMatLeaks(t *testing.T) {
	before := gocv.MatProfile.Count()
	p, err := New(Config{Model: detect.Config{Kind: detect.KindMean}, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	frames := []*pb.Frame{
		{Encoding: pb.Encoding_ENCODING_PNG, Data: streamtest.PNG(t, 32, 24, color.Gray{Y: 9})},
		{Encoding: pb.Encoding_ENCODING_PNG, Data: streamtest.PNG(t, 32, 24, color.RGBA{R: 200, A: 255})},
		{Encoding: pb.Encoding_ENCODING_JPEG, Data: streamtest.JPEG(t, 41, 31)},
		// Photos turned upright by their EXIF orientation: a new Mat each.
		{Encoding: pb.Encoding_ENCODING_PNG, Data: exiftest.PNG(streamtest.PNG(t, 32, 24, color.Gray{Y: 9}), exiftest.TIFF(binary.BigEndian, exif.Transverse))},
		{Encoding: pb.Encoding_ENCODING_JPEG, Data: exiftest.JPEG(streamtest.JPEG(t, 40, 30), exiftest.TIFF(binary.LittleEndian, exif.Rotate90CW))},
	}
	for i, f := range frames {
		d, err := p.Detect(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			d.Picture.(core.VideoPicture).KeepVideo(func(core.VideoFrame) {}) // odd sizes: a region cloned
			err = d.Picture.Annotate([]core.Detection{{Label: "x", Box: core.Box{X: 1, Y: 1, W: 5, H: 5}}}, 90, func([]byte) error { return nil })
		} else {
			err = d.Picture.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Detect(ctx, &pb.Frame{Data: []byte("junk")}); err == nil {
		t.Error("junk decoded")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if after := gocv.MatProfile.Count(); after != before {
		t.Errorf("%d Mats open before, %d after", before, after)
	}
}

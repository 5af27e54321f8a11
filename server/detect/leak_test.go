//go:build matprofile

package detect

import (
	"testing"

	"gocv.io/x/gocv"
)

// TestNoMatLeaks checks, with gocv's Mat profile (build tag matprofile), that
// New + Detect x N + Draw + Close leaves no Mat open.
func TestNoMatLeaks(t *testing.T) {
	img := readImage(t, personJPG)
	defer img.Close()
	for _, cfg := range []Config{
		{Kind: KindMean},
		{Kind: KindNanodet, ModelFile: nanodetModel(t, "nanodet-m-320.onnx")},
		{Kind: KindBlazeFace, ModelFile: blazeFaceModel(t, "face_detection_front_128x128_barracuda.onnx")},
	} {
		before := gocv.MatProfile.Count()
		d, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			dets, err := d.Detect(img)
			if err != nil {
				t.Fatal(err)
			}
			Draw(&img, dets)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if after := gocv.MatProfile.Count(); after != before {
			t.Errorf("%s: %d Mats open before, %d after", cfg.Kind, before, after)
		}
	}
	// A failing New must not leak either.
	before := gocv.MatProfile.Count()
	if _, err := New(Config{Kind: KindBlazeFace, ModelFile: nanodetModel(t, "nanodet-m-320.onnx")}); err == nil {
		t.Fatal("New with the wrong model succeeded")
	}
	if after := gocv.MatProfile.Count(); after != before {
		t.Errorf("failed New: %d Mats open before, %d after", before, after)
	}
}

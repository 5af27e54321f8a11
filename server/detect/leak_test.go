//go:build matprofile

package detect

import (
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/detect/yolo/yolotest"
)

// TestNoMatLeaks checks, with gocv's Mat profile (build tag matprofile), that
// New + Detect x N + Close leaves no Mat open, on both engines (Draw's
// share is checked in server/pixels).
func TestNoMatLeaks(t *testing.T) {
	img := readImage(t, personJPG)
	defer img.Close()
	cfgs := []Config{{Kind: KindMean}}
	yolo := yolotest.Write(t, yolotest.Spec{Size: 320, Dynamic: true, Classes: 80})
	for _, eng := range Engines() {
		cfgs = append(cfgs,
			Config{Kind: KindNanodet, ModelFile: nanodetModel(t, "nanodet-m-320.onnx"), Engine: eng},
			Config{Kind: KindBlazeFace, ModelFile: blazeFaceModel(t, "face_detection_front_128x128_barracuda.onnx"), Engine: eng},
			Config{Kind: "yolo", ModelFile: yolo, Engine: eng, InputSize: 320})
	}
	for _, cfg := range cfgs {
		before := gocv.MatProfile.Count()
		d, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			if _, err := d.Detect(img); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if after := gocv.MatProfile.Count(); after != before {
			t.Errorf("%s on %s: %d Mats open before, %d after", cfg.Kind, cfg.Engine, before, after)
		}
	}
}

// A failing New must not leak either, on either engine: a model of the
// wrong family (refused before the engine is made) and labels that do not
// fit the model (refused after its warm-up forward).
func TestNoMatLeaksOnFailedNew(t *testing.T) {
	nanodet := nanodetModel(t, "nanodet-m-320.onnx")
	yolo := yolotest.Write(t, yolotest.Spec{Size: 64, Classes: 80})
	face := blazeFaceModel(t, "face_detection_front_128x128_barracuda.onnx")
	for _, eng := range Engines() {
		for _, cfg := range []Config{
			{Kind: KindBlazeFace, ModelFile: nanodet, Engine: eng},
			{Kind: KindNanodet, ModelFile: face, Engine: eng},
			{Kind: KindNanodet, ModelFile: nanodet, Engine: eng, LabelsFile: shortLabels(t)},
			{Kind: "yolo", ModelFile: nanodet, Engine: eng},
			{Kind: "yolo", ModelFile: yolo, Engine: eng, LabelsFile: shortLabels(t)},
		} {
			before := gocv.MatProfile.Count()
			if _, err := New(cfg); err == nil {
				t.Fatalf("New(%+v) succeeded, want an error", cfg)
			}
			if after := gocv.MatProfile.Count(); after != before {
				t.Errorf("failed New(%+v): %d Mats open before, %d after", cfg, before, after)
			}
		}
	}
}

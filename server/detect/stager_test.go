package detect

import (
	"testing"

	"github.com/framewire/framewire/server/detect/yolo/yolotest"
)

func TestStagers(t *testing.T) {
	img := readImage(t, personJPG)
	defer img.Close()
	for _, cfg := range []Config{
		{Kind: KindNanodet, ModelFile: nanodetModel(t, "nanodet-m-320.onnx")},
		{Kind: KindBlazeFace, ModelFile: blazeFaceModel(t, "face_detection_front_128x128_barracuda.onnx")},
		{Kind: "yolo", ModelFile: yolotest.Write(t, yolotest.Spec{Size: 64, Classes: 80})},
	} {
		d, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s, ok := d.(Stager)
		if !ok {
			t.Fatalf("%s is not a Stager", cfg.Kind)
		}
		if err := s.Prepare(img); err != nil {
			t.Errorf("%s Prepare: %v", cfg.Kind, err)
		}
		if err := s.Forward(); err != nil {
			t.Errorf("%s Forward: %v", cfg.Kind, err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if s.Prepare(img) == nil || s.Forward() == nil {
			t.Errorf("%s: a closed detector prepared or ran", cfg.Kind)
		}
	}
	if _, ok := Detector(meanDetector{}).(Stager); ok {
		t.Error("mean, which has no network, is a Stager")
	}
}

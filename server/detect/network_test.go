package detect

import (
	"slices"
	"testing"

	"github.com/framewire/framewire/server/detect/yolo/yolotest"
)

func TestLoadNetworkNanodet(t *testing.T) {
	n, err := LoadNetwork(Config{Kind: KindNanodet, ModelFile: nanodetModel(t, "nanodet-m-320.onnx")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 3, 320, 320}; !slices.Equal(n.Dims, want) {
		t.Errorf("input dims %v, want %v", n.Dims, want)
	}
	if n.Input != "image" {
		t.Errorf("input %q, want image", n.Input)
	}
	if _, err := LoadNetwork(Config{Kind: KindMean}); err == nil {
		t.Error("LoadNetwork(mean) succeeded, want an error")
	}
}

// A YOLO export with a dynamic input is served at the input size asked
// for, 640 by default; a fixed one at its own size.
func TestLoadNetworkYOLOInputSize(t *testing.T) {
	dyn := yolotest.Write(t, yolotest.Spec{Size: 320, Dynamic: true, Classes: 2})
	for size, want := range map[int]int{0: 640, 320: 320} {
		n, err := LoadNetwork(Config{Kind: "yolo", ModelFile: dyn, InputSize: size})
		if err != nil || !slices.Equal(n.Dims, []int{1, 3, want, want}) || n.Input != "images" {
			t.Errorf("input size %d: %+v, %v; want images [1 3 %d %d]", size, n.Dims, err, want, want)
		}
	}
	if _, err := LoadNetwork(Config{Kind: "yolo"}); err == nil {
		t.Error("LoadNetwork(yolo) without a model file succeeded, want an error")
	}
}

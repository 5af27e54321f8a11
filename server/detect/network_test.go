package detect

import (
	"slices"
	"testing"
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

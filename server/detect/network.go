package detect

import (
	"fmt"

	"github.com/framewire/framewire/server/detect/onnxnet"
)

// Network is a kind's model as an engine runs it, without the detector
// around it: what serving its forward pass to other processes needs
// (package server/kserve).
type Network struct {
	Model []byte // the ONNX file
	Input string // name of its image input
	Dims  []int  // the input's shape, batch 1: [1,3,S,S] or [1,S,S,3]
}

// LoadNetwork reads the model file of cfg (its kind's default when
// cfg.ModelFile is "") and checks its input as New does. "mean" has no
// network: an error.
func LoadNetwork(cfg Config) (Network, error) {
	f, ok := lookup(cfg.Kind)
	if !ok || !f.HasNetwork() {
		return Network{}, fmt.Errorf("detect: model kind %q has no network", cfg.Kind)
	}
	model, err := readModel(f, cfg)
	if err != nil {
		return Network{}, err
	}
	want := f.Input
	want.Size = cfg.InputSize
	n, err := describeNetwork(model, want)
	if err != nil {
		return Network{}, fmt.Errorf("detect: %s model %s: %w", cfg.Kind, modelFile(f, cfg), err)
	}
	return n, nil
}

// describeNetwork reads model's input name and fixes its input shape as
// the detectors do.
func describeNetwork(model []byte, want onnxnet.Shape) (Network, error) {
	size, err := onnxnet.InputSize(model, want)
	if err != nil {
		return Network{}, err
	}
	ins, err := onnxnet.Inputs(model)
	if err != nil {
		return Network{}, err
	}
	dims := []int{1, 3, size, size}
	if want.NHWC {
		dims = []int{1, size, size, 3}
	}
	return Network{Model: model, Input: ins[0].Name, Dims: dims}, nil
}

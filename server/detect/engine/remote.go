package engine

import (
	"errors"
	"slices"
)

// KServe is the engine name (Options.Engine) of a forward pass run by
// inference servers over the Open Inference Protocol; Options.Remote makes
// those engines (package server/kserve). It is not among Names, which
// lists the engines that run a model file in this process.
const KServe = "kserve"

// Remote makes engines whose forward pass runs in another process. The
// engine it returns owns its input tensor, as a local one does.
type Remote interface {
	// NewEngine makes an engine for inputs of shape input; it fails when
	// the remote model does not take that shape.
	NewEngine(input []int) (Engine, error)
}

// newRemote makes an engine of o.Remote for input.
func newRemote(input []int, o Options) (Engine, error) {
	if o.Remote == nil {
		return nil, errors.New("engine: " + KServe + " needs the inference servers (Options.Remote)")
	}
	return o.Remote.NewEngine(slices.Clone(input))
}

// Named is implemented by the engines that know the names of their
// outputs: ONNX Runtime (the model's, in the order Forward returns them)
// and kserve (the inference servers').
type Named interface {
	OutputNames() []string
}

// OutputNames are the model's output names in the order of Forward.
func (e *onnxRuntime) OutputNames() []string { return slices.Clone(e.names) }

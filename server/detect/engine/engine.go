// Package engine runs the forward pass of an ONNX model: the one thing the
// detectors in package detect leave to an inference engine. Pre-processing,
// output decoding, NMS and labels are written once per model in package
// detect; the forward pass goes through Engine, which has two
// implementations:
//
//   - "onnxruntime" (the default): Microsoft's ONNX Runtime, loaded at run
//     time from a shared library (LoadONNXRuntime) through
//     github.com/yalue/onnxruntime_go;
//   - "opencv": OpenCV 4.6's DNN module through a small C++ shim (fwnet.cpp)
//     that turns C++ exceptions into errors.
//
// An Engine is made for one input shape and is not safe for concurrent use:
// make one per worker.
package engine

import (
	"fmt"
	"slices"
)

// Names of the engines (Options.Engine).
const (
	ONNXRuntime = "onnxruntime"
	OpenCV      = "opencv"
)

// Default is the engine used when Options.Engine is "".
const Default = ONNXRuntime

// Names lists the accepted engine names, the default first.
func Names() []string { return []string{ONNXRuntime, OpenCV} }

// Engine runs one loaded model on an input tensor it owns. The input is
// filled in place (Input().Data) and Forward reads it: no copy between the
// pre-processing and the engine. Not safe for concurrent use.
type Engine interface {
	// Input is the engine's input tensor, in the shape given to New. Its
	// Data is written by the caller before each Forward; it stays valid
	// until Close.
	Input() Tensor
	// Forward runs the model on Input and returns every output. The
	// tensors are views valid until the next Forward or Close.
	Forward() ([]Tensor, error)
	// NumOutputs is the number of tensors Forward returns.
	NumOutputs() int
	// Close frees the engine's memory. Calling it again does nothing.
	Close() error
}

// Options selects and tunes an engine.
type Options struct {
	Engine         string // ONNXRuntime, OpenCV; "" = Default
	ONNXRuntimeLib string // onnxruntime only: the library; "" = DefaultONNXRuntimeLib
	// Threads of one forward pass, onnxruntime only (its intra-op threads,
	// per engine); 0 = 1. OpenCV's threads are process-wide: SetOpenCVThreads.
	Threads int
	// Remote makes the engines of KServe; unused by the others.
	Remote Remote
}

// New loads model (ONNX bytes) into the engine o.Engine for an input of
// shape input (every dim positive: a model's symbolic dims must be fixed by
// the caller). The caller owns the engine and must Close it.
func New(model []byte, input []int, o Options) (Engine, error) {
	if elements(input) < 1 {
		return nil, fmt.Errorf("engine: input shape %v has a dim that is not positive", input)
	}
	if o.Threads < 0 {
		return nil, fmt.Errorf("engine: %d threads", o.Threads)
	}
	switch o.Engine {
	case ONNXRuntime, "":
		return newORT(model, slices.Clone(input), o)
	case OpenCV:
		return newOpenCV(model, slices.Clone(input))
	case KServe:
		return newRemote(input, o)
	}
	return nil, fmt.Errorf("engine: unknown engine %q (want one of %v)", o.Engine, Names())
}

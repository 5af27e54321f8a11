package detect

import "gocv.io/x/gocv"

// Stager is implemented by the detectors that run a network (nanodet,
// blazeface, yolo). It splits Detect so that the network's forward pass can be
// timed alone, as framewire-bench does to measure how much of the cores the
// rest of the pipeline leaves to inference. Not safe for concurrent use.
type Stager interface {
	Detector
	// Prepare pre-processes img (8-bit BGR) into the network's input, as
	// Detect does first.
	Prepare(img gocv.Mat) error
	// Forward runs the network on the last prepared input; the outputs are
	// discarded.
	Forward() error
}

// Package family is what a model family (NanoDet, BlazeFace, YOLO, ...)
// gives package detect: one table row (Family) with its default file,
// input, thresholds, labels and constructor, and the Detector its
// constructor makes. Each family lives in its own package beside this one
// and imports it; package detect lists the rows.
package family

import (
	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect/engine"
	"github.com/framewire/framewire/server/detect/onnxnet"
)

// Detector finds objects in 8-bit BGR frames. A Detector is NOT safe for
// concurrent use (an engine is not): use one per worker goroutine.
// Detect does not keep or modify img; the returned slice belongs to the
// caller. Labels are the class names it reports, in class-id order (nil
// when it reports none); the slice must not be changed. Close frees the
// detector's OpenCV memory; it must be called once the detector is no
// longer used.
type Detector interface {
	Detect(img gocv.Mat) ([]core.Detection, error)
	Labels() []string
	Close() error
}

// Family is one model family: one row of package detect's table.
type Family struct {
	Kind        string        // the name chosen with --model: "nanodet"
	DefaultFile string        // the model file the set-up installs; "" when none is
	Input       onnxnet.Shape // how the net takes its image (zero: no network)
	Conf, NMS   float32       // default score and IoU thresholds
	Labels      string        // the class names without a labels file, for --help
	// New makes a detector; the family's pre-processing and decoding
	// come with it.
	New func(Params) (Detector, error)
}

// HasNetwork says whether the family runs a network.
func (f Family) HasNetwork() bool { return f.Input.Family != "" }

// Params is what a family's constructor is given.
type Params struct {
	Model      []byte        // the ONNX file's bytes
	Input      onnxnet.Shape // the row's Input with the size asked for
	Labels     []string      // from a labels file; nil when none was given
	LabelsName string        // names Labels' source in messages
	Conf, NMS  float32       // thresholds, the family's defaults filled in
	Engine     engine.Options
}

// Constructor turns a family's New, which returns its concrete detector,
// into a row's New; a failed New gives a nil Detector, not a typed nil.
func Constructor[D Detector](mk func(Params) (D, error)) func(Params) (Detector, error) {
	return func(p Params) (Detector, error) {
		d, err := mk(p)
		if err != nil {
			return nil, err
		}
		return d, nil
	}
}

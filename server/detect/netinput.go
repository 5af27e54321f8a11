package detect

import (
	"errors"
	"fmt"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/detect/engine"
)

// netInput is what every ONNX detector owns besides its own decoding: the
// engine running the forward pass, a scratch Mat for the resized frame, the
// engine's input data, and whether they were freed. Embedded in the
// detectors, it gives them Close and Forward. Not safe for concurrent use.
type netInput struct {
	kind     string // for messages: "nanodet", "blazeface"
	eng      engine.Engine
	scratch  gocv.Mat  // the frame resized for the net, CV_8UC3
	blobData []float32 // the engine's input, written by pre-processing
	closed   bool
}

// outputs are a forward pass's output tensors (views valid until the next
// forward).
type outputs = []engine.Tensor

// inputShape says how a detector's net takes its square image input.
type inputShape struct {
	name        string // the model family in messages: "NanoDet", "BlazeFace"
	nhwc        bool   // [1,S,S,3] instead of [1,3,S,S]
	dynamicSize int    // S when the file leaves it open
	minSize     int    // smallest S the decoding can work with
}

// newNetInput checks that model's first input is a square image of shape
// want, loads the model into the engine eo names and makes the scratch Mat.
// It returns the input side S. On error nothing is left to free.
func newNetInput(kind string, model []byte, want inputShape, eo engine.Options) (netInput, int, error) {
	size, err := inputSize(model, want)
	if err != nil {
		return netInput{}, 0, err
	}
	dims := []int{1, 3, size, size}
	if want.nhwc {
		dims = []int{1, size, size, 3}
	}
	eng, err := engine.New(model, dims, eo)
	if err != nil {
		return netInput{}, 0, err
	}
	return netInput{kind: kind, eng: eng, scratch: gocv.NewMat(), blobData: eng.Input().Data}, size, nil
}

// inputSize reads the side S of model's first input, which must be a square
// image laid out as want says; a symbolic S is want.dynamicSize.
func inputSize(model []byte, want inputShape) (int, error) {
	ins, err := onnxInputs(model)
	if err != nil {
		return 0, err
	}
	d := ins[0].dims
	layout, ok, side := "NCHW [1,3,S,S]", len(d) == 4 && (d[1] == 3 || d[1] == -1) && d[2] == d[3], 2
	if want.nhwc {
		layout, ok, side = "NHWC [1,S,S,3]", len(d) == 4 && (d[3] == 3 || d[3] == -1) && d[1] == d[2], 1
	}
	if !ok {
		return 0, fmt.Errorf("input %q has shape %v, want %s: not a %s model", ins[0].name, d, layout, want.name)
	}
	size := int(d[side])
	if size == -1 {
		size = want.dynamicSize
	}
	if size < want.minSize || size > 4096 {
		return 0, fmt.Errorf("input size %d is out of range", size)
	}
	return size, nil
}

// prepare checks img and fills the engine's input from it with pre.
func (n *netInput) prepare(img gocv.Mat, pre func(gocv.Mat) error) error {
	if n.closed {
		return fmt.Errorf("detect: %s detector is closed", n.kind)
	}
	if err := checkFrame(img); err != nil {
		return err
	}
	if err := pre(img); err != nil {
		return fmt.Errorf("detect: %s: %w", n.kind, err)
	}
	return nil
}

// warmUp runs the net once on a blank size x size frame: pre fills the
// input, mapOutputs learns the outputs from their shapes (and refuses a net
// that does not fit), post must decode them.
func (n *netInput) warmUp(size int, pre func(gocv.Mat) error, mapOutputs func(outputs) error, post func(outs outputs, frameW, frameH int) ([]Detection, error)) error {
	blank := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), size, size, gocv.MatTypeCV8UC3)
	defer blank.Close()
	if err := pre(blank); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	outs, err := n.eng.Forward()
	if err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if err := mapOutputs(outs); err != nil {
		return err
	}
	if _, err := post(outs, size, size); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	return nil
}

// detect prepares img with pre, runs the net and decodes its outputs with
// post into boxes in img's pixels: the whole of a detector's Detect.
func (n *netInput) detect(img gocv.Mat, pre func(gocv.Mat) error, post func(outs outputs, frameW, frameH int) ([]Detection, error)) ([]Detection, error) {
	if err := n.prepare(img, pre); err != nil {
		return nil, err
	}
	outs, err := n.forward()
	if err != nil {
		return nil, err
	}
	dets, err := post(outs, img.Cols(), img.Rows())
	if err != nil {
		return nil, fmt.Errorf("detect: %s: %w", n.kind, err)
	}
	return dets, nil
}

// forward runs the engine on its input. The returned views are valid until
// the next forward.
func (n *netInput) forward() (outputs, error) {
	outs, err := n.eng.Forward()
	if err != nil {
		return nil, fmt.Errorf("detect: %s: %w", n.kind, err)
	}
	return outs, nil
}

// Forward runs the net on the prepared input (Stager).
func (n *netInput) Forward() error {
	if n.closed {
		return errors.New("detect: " + n.kind + " detector is closed")
	}
	_, err := n.forward()
	return err
}

// Close frees the engine and the scratch Mat. Calling it again does nothing.
func (n *netInput) Close() error {
	if n.closed {
		return nil
	}
	n.closed = true
	n.blobData = nil
	errEng := n.eng.Close()
	if err := n.scratch.Close(); err != nil {
		return errors.Join(errEng, fmt.Errorf("detect: closing %s scratch: %w", n.kind, err))
	}
	if errEng != nil {
		return fmt.Errorf("detect: closing %s: %w", n.kind, errEng)
	}
	return nil
}

// matrixShape reads dims as a 2-D (rows, cols) matrix, allowing any number
// of leading 1s (e.g. [N,C], [1,N,C], [1,1,N,C]). ok is false otherwise.
func matrixShape(dims []int) (rows, cols int, ok bool) {
	if len(dims) < 2 {
		return 0, 0, false
	}
	for _, d := range dims[:len(dims)-2] {
		if d != 1 {
			return 0, 0, false
		}
	}
	rows, cols = dims[len(dims)-2], dims[len(dims)-1]
	return rows, cols, rows > 0 && cols > 0
}

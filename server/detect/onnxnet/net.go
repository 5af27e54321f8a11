// Package onnxnet runs the ONNX nets of the detectors: it reads a model's
// declared inputs from the file, checks the square image input a detector
// wants, and owns the engine, the resized frame and the engine's input for
// one detector (Net).
package onnxnet

import (
	"errors"
	"fmt"
	"image"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect/engine"
)

// Net is what every ONNX detector owns besides its own decoding: the
// engine running the forward pass, a scratch Mat for the resized frame
// (Resize), the engine's input data, and whether they were freed. Embedded
// in the detectors, it gives them Close and Forward. Not safe for
// concurrent use.
type Net struct {
	kind    string // for messages: "nanodet", "blazeface"
	eng     engine.Engine
	scratch gocv.Mat  // the frame resized for the net, CV_8UC3
	Blob    []float32 // the engine's input, written by pre-processing
	closed  bool
}

// Engine is the engine running the net.
func (n *Net) Engine() engine.Engine { return n.eng }

// Outputs are a forward pass's output tensors (views valid until the next
// forward).
type Outputs = []engine.Tensor

// Shape says how a detector's net takes its square image input.
type Shape struct {
	Family      string // the model family in messages: "NanoDet", "BlazeFace"
	NHWC        bool   // [1,S,S,3] instead of [1,3,S,S]
	DynamicSize int    // S when the file leaves it open and Size is 0
	MinSize     int    // smallest S the decoding can work with
	// Size is the S asked for (a flag): used when the file leaves S open,
	// and refused when the file fixes another; 0 = none asked for.
	Size int
}

// New checks that model's first input is a square image of shape
// want, loads the model into the engine eo names and makes the scratch Mat.
// It returns the input side S. On error nothing is left to free.
func New(kind string, model []byte, want Shape, eo engine.Options) (Net, int, error) {
	size, err := InputSize(model, want)
	if err != nil {
		return Net{}, 0, err
	}
	dims := []int{1, 3, size, size}
	if want.NHWC {
		dims = []int{1, size, size, 3}
	}
	eng, err := engine.New(model, dims, eo)
	if err != nil {
		return Net{}, 0, err
	}
	return Net{kind: kind, eng: eng, scratch: gocv.NewMat(), Blob: eng.Input().Data}, size, nil
}

// InputSize reads the side S of model's first input, which must be a square
// image laid out as want says; a symbolic S is want.DynamicSize.
func InputSize(model []byte, want Shape) (int, error) {
	ins, err := Inputs(model)
	if err != nil {
		return 0, err
	}
	side, err := inputSide(ins[0], want)
	if err != nil {
		return 0, err
	}
	return checkSize(side, want)
}

// inputSide is the side S of in, which must have want's layout: -1 when
// the model leaves it open.
func inputSide(in Input, want Shape) (int, error) {
	d := in.Dims
	layout, ok, side := "NCHW [1,3,S,S]", len(d) == 4 && (d[1] == 3 || d[1] == -1) && d[2] == d[3], 2
	if want.NHWC {
		layout, ok, side = "NHWC [1,S,S,3]", len(d) == 4 && (d[3] == 3 || d[3] == -1) && d[1] == d[2], 1
	}
	if !ok {
		return 0, fmt.Errorf("input %q has shape %v, want %s: not a %s model", in.Name, d, layout, want.Family)
	}
	return int(d[side]), nil
}

// checkSize is the input size for a model input side size (want's Size,
// else its DynamicSize, when it is open), if it is in range.
func checkSize(size int, want Shape) (int, error) {
	switch {
	case size == -1 && want.Size > 0:
		size = want.Size
	case size == -1:
		size = want.DynamicSize
	case want.Size > 0 && want.Size != size:
		return 0, fmt.Errorf("the model's input size is fixed at %d, not %d as asked", size, want.Size)
	}
	if size < want.MinSize || size > 4096 {
		return 0, fmt.Errorf("input size %d is out of range", size)
	}
	return size, nil
}

// Resize resizes the 8-bit BGR img to w x h (bilinear) into the net's
// scratch Mat and returns its 3*w*h bytes, valid until the next Resize.
func (n *Net) Resize(img gocv.Mat, w, h int) ([]uint8, error) {
	gocv.Resize(img, &n.scratch, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)
	px, err := n.scratch.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("resized frame: %w", err)
	}
	if len(px) != 3*w*h {
		return nil, fmt.Errorf("resized frame has %d bytes, want %d", len(px), 3*w*h)
	}
	return px, nil
}

// Fill checks img and fills the engine's input from it with pre.
func (n *Net) Fill(img gocv.Mat, pre func(gocv.Mat) error) error {
	if n.closed {
		return fmt.Errorf("detect: %s detector is closed", n.kind)
	}
	if err := CheckFrame(img); err != nil {
		return err
	}
	if err := pre(img); err != nil {
		return fmt.Errorf("detect: %s: %w", n.kind, err)
	}
	return nil
}

// WarmUp runs the net once on a blank size x size frame: pre fills the
// input, mapOutputs learns the outputs from their shapes (and refuses a net
// that does not fit), post must decode them.
func (n *Net) WarmUp(size int, pre func(gocv.Mat) error, mapOutputs func(Outputs) error, post func(outs Outputs, frameW, frameH int) ([]core.Detection, error)) error {
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

// Run prepares img with pre, runs the net and decodes its outputs with
// post into boxes in img's pixels: the whole of a detector's Detect.
func (n *Net) Run(img gocv.Mat, pre func(gocv.Mat) error, post func(outs Outputs, frameW, frameH int) ([]core.Detection, error)) ([]core.Detection, error) {
	if err := n.Fill(img, pre); err != nil {
		return nil, err
	}
	outs, err := n.Infer()
	if err != nil {
		return nil, err
	}
	dets, err := post(outs, img.Cols(), img.Rows())
	if err != nil {
		return nil, fmt.Errorf("detect: %s: %w", n.kind, err)
	}
	return dets, nil
}

// Infer runs the engine on its input. The returned views are valid until
// the next forward.
func (n *Net) Infer() (Outputs, error) {
	outs, err := n.eng.Forward()
	if err != nil {
		return nil, fmt.Errorf("detect: %s: %w", n.kind, err)
	}
	return outs, nil
}

// Forward runs the net on the prepared input (Stager).
func (n *Net) Forward() error {
	if n.closed {
		return errors.New("detect: " + n.kind + " detector is closed")
	}
	_, err := n.Infer()
	return err
}

// Close frees the engine and the scratch Mat. Calling it again does nothing.
func (n *Net) Close() error {
	if n.closed {
		return nil
	}
	n.closed = true
	n.Blob = nil
	errEng := n.eng.Close()
	if err := n.scratch.Close(); err != nil {
		return errors.Join(errEng, fmt.Errorf("detect: closing %s scratch Mat: %w", n.kind, err))
	}
	if errEng != nil {
		return fmt.Errorf("detect: closing %s: %w", n.kind, errEng)
	}
	return nil
}

// Shapes lists the dimensions of outs, for errors.
func Shapes(outs Outputs) []string {
	shapes := make([]string, len(outs))
	for i, t := range outs {
		shapes[i] = fmt.Sprint(t.Dims)
	}
	return shapes
}

// MatrixShape reads dims as a 2-D (rows, cols) matrix, allowing any number
// of leading 1s (e.g. [N,C], [1,N,C], [1,1,N,C]). ok is false otherwise.
func MatrixShape(dims []int) (rows, cols int, ok bool) {
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

// CheckFrame reports why img cannot be fed to a detector, or nil.
func CheckFrame(img gocv.Mat) error {
	if img.Ptr() == nil || img.Empty() {
		return errors.New("detect: empty frame")
	}
	if img.Type() != gocv.MatTypeCV8UC3 {
		return fmt.Errorf("detect: frame type %v is not 8-bit BGR (CV_8UC3)", img.Type())
	}
	if img.Rows() < 1 || img.Cols() < 1 {
		return fmt.Errorf("detect: frame size %dx%d is not 2-D", img.Cols(), img.Rows())
	}
	return nil
}

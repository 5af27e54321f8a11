package detect

import (
	"errors"
	"fmt"

	"gocv.io/x/gocv"
)

// netInput is what every ONNX detector owns besides its own decoding: the
// net, a scratch Mat for the resized frame, the float input blob with its
// Go view, and whether they were freed. Embedded in the detectors, it
// gives them Close and Forward. Not safe for concurrent use.
type netInput struct {
	kind     string // for messages: "nanodet", "blazeface"
	net      *onnxNet
	scratch  gocv.Mat // the frame resized for the net, CV_8UC3
	blob     gocv.Mat // the net's float input
	blobData []float32
	closed   bool
}

// inputShape says how a detector's net takes its square image input.
type inputShape struct {
	name        string // the model family in messages: "NanoDet", "BlazeFace"
	nhwc        bool   // [1,S,S,3] instead of [1,3,S,S]
	dynamicSize int    // S when the file leaves it open
	minSize     int    // smallest S the decoding can work with
}

// newNetInput checks that model's first input is a square image of shape
// want, loads the net and makes the input blob and scratch Mat. It returns
// the input side S. On error nothing is left to free.
func newNetInput(kind string, model []byte, want inputShape) (netInput, int, error) {
	ins, err := onnxInputs(model)
	if err != nil {
		return netInput{}, 0, err
	}
	d := ins[0].dims
	layout, ok, side := "NCHW [1,3,S,S]", len(d) == 4 && (d[1] == 3 || d[1] == -1) && d[2] == d[3], 2
	if want.nhwc {
		layout, ok, side = "NHWC [1,S,S,3]", len(d) == 4 && (d[3] == 3 || d[3] == -1) && d[1] == d[2], 1
	}
	if !ok {
		return netInput{}, 0, fmt.Errorf("input %q has shape %v, want %s: not a %s model", ins[0].name, d, layout, want.name)
	}
	size := int(d[side])
	if size == -1 {
		size = want.dynamicSize
	}
	if size < want.minSize || size > 4096 {
		return netInput{}, 0, fmt.Errorf("input size %d is out of range", size)
	}
	net, err := loadONNX(model)
	if err != nil {
		return netInput{}, 0, err
	}
	dims := []int{1, 3, size, size}
	if want.nhwc {
		// A 4-D Mat [1,S,S,3] holding the bytes of an S x S float image.
		// OpenCV 4.6's ONNX importer takes it as is (the model's own
		// leading Transpose turns it into NCHW).
		dims = []int{1, size, size, 3}
	}
	n := netInput{kind: kind, net: net, scratch: gocv.NewMat(), blob: gocv.NewMatWithSizes(dims, gocv.MatTypeCV32F)}
	if n.blobData, err = n.blob.DataPtrFloat32(); err != nil {
		n.Close()
		return netInput{}, 0, fmt.Errorf("input blob: %w", err)
	}
	return n, size, nil
}

// prepare checks img and fills the blob from it with pre.
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
// blob, mapOutputs learns the outputs from their shapes (and refuses a net
// that does not fit), post must decode them.
func (n *netInput) warmUp(size int, pre func(gocv.Mat) error, mapOutputs func([]tensor) error, post func(outs []tensor, frameW, frameH int) ([]Detection, error)) error {
	blank := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), size, size, gocv.MatTypeCV8UC3)
	defer blank.Close()
	if err := pre(blank); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	outs, err := n.net.forward(n.blob, "")
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
func (n *netInput) detect(img gocv.Mat, pre func(gocv.Mat) error, post func(outs []tensor, frameW, frameH int) ([]Detection, error)) ([]Detection, error) {
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

// forward runs the net on the blob. The returned views are valid until the
// next forward.
func (n *netInput) forward() ([]tensor, error) {
	outs, err := n.net.forward(n.blob, "")
	if err != nil {
		return nil, fmt.Errorf("detect: %s: %w", n.kind, err)
	}
	return outs, nil
}

// Forward runs the net on the prepared blob (Stager).
func (n *netInput) Forward() error {
	if n.closed {
		return errors.New("detect: " + n.kind + " detector is closed")
	}
	_, err := n.forward()
	return err
}

// Close frees the net and the Mats. Calling it again does nothing.
func (n *netInput) Close() error {
	if n.closed {
		return nil
	}
	n.closed = true
	n.net.close()
	n.blobData = nil
	if err := n.scratch.Close(); err != nil {
		return fmt.Errorf("detect: closing %s scratch: %w", n.kind, err)
	}
	if err := n.blob.Close(); err != nil {
		return fmt.Errorf("detect: closing %s blob: %w", n.kind, err)
	}
	return nil
}

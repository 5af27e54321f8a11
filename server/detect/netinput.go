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

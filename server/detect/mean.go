package detect

import (
	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/detect/family"
	"github.com/framewire/framewire/server/detect/onnxnet"
)

// meanDetector is the "mean" kind: no network, it finds nothing. It holds no
// OpenCV memory and is safe for concurrent use.
type meanDetector struct{}

// newMean is the mean row's constructor.
func newMean(family.Params) (family.Detector, error) { return meanDetector{}, nil }

// Detect checks the frame and returns no detections.
func (meanDetector) Detect(img gocv.Mat) ([]Detection, error) {
	if err := onnxnet.CheckFrame(img); err != nil {
		return nil, err
	}
	return nil, nil
}

// Labels is nil: the mean detector reports no class.
func (meanDetector) Labels() []string { return nil }

// Close does nothing.
func (meanDetector) Close() error { return nil }

package detect

import (
	"fmt"

	"github.com/framewire/framewire/server/detect/nms"
	"github.com/framewire/framewire/server/detect/onnxnet"
)

// toDetections runs NMS over cands at IoU thr and turns the kept ones into
// detections named from labels by class. The slice is new (nil when empty).
func toDetections(cands []nms.Candidate, thr float32, labels []string) []Detection {
	kept := nms.Suppress(cands, thr)
	if len(kept) == 0 {
		return nil
	}
	dets := make([]Detection, len(kept))
	for i, c := range kept {
		dets[i] = toDetection(c, labels)
	}
	return dets
}

// toDetection is candidate c as a detection named from labels.
func toDetection(c nms.Candidate, labels []string) Detection {
	return Detection{
		Label: labels[c.Class], ClassID: c.Class, Score: c.Score,
		Box: Box{X: c.X1, Y: c.Y1, W: c.X2 - c.X1, H: c.Y2 - c.Y1},
	}
}

// frameMap maps boxes from the input pixels of a net to the pixels of the
// frame they came from: remove the padding, scale, clip to the frame.
type frameMap struct {
	padX, padY, kx, ky, fw, fh float32
}

// newFrameMap maps an input holding a frameW x frameH frame scaled to
// w x h at offset padX, padY.
func newFrameMap(frameW, frameH, w, h, padX, padY int) frameMap {
	return frameMap{
		padX: float32(padX), padY: float32(padY),
		kx: float32(frameW) / float32(w), ky: float32(frameH) / float32(h),
		fw: float32(frameW), fh: float32(frameH),
	}
}

// candidate maps the box x1, y1, x2, y2 in input pixels to a candidate in
// frame pixels; ok is false when nothing of it is left in the frame.
func (m frameMap) candidate(x1, y1, x2, y2, score float32, class int) (c nms.Candidate, ok bool) {
	c = nms.Candidate{
		X1: clamp((x1-m.padX)*m.kx, 0, m.fw), Y1: clamp((y1-m.padY)*m.ky, 0, m.fh),
		X2: clamp((x2-m.padX)*m.kx, 0, m.fw), Y2: clamp((y2-m.padY)*m.ky, 0, m.fh),
		Score: score, Class: class,
	}
	return c, c.X2 > c.X1 && c.Y2 > c.Y1
}

// outputShapes lists the dimensions of outs, for errors.
func outputShapes(outs onnxnet.Outputs) []string {
	shapes := make([]string, len(outs))
	for i, t := range outs {
		shapes[i] = fmt.Sprint(t.Dims)
	}
	return shapes
}

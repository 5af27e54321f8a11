package family

import (
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect/nms"
)

// ToDetections runs NMS over cands at IoU thr and turns the kept ones into
// detections named from labels by class. The slice is new (nil when empty).
func ToDetections(cands []nms.Candidate, thr float32, labels []string) []core.Detection {
	kept := nms.Suppress(cands, thr)
	if len(kept) == 0 {
		return nil
	}
	dets := make([]core.Detection, len(kept))
	for i, c := range kept {
		dets[i] = toDetection(c, labels)
	}
	return dets
}

// toDetection is candidate c as a detection named from labels.
func toDetection(c nms.Candidate, labels []string) core.Detection {
	return core.Detection{
		Label: labels[c.Class], ClassID: c.Class, Score: c.Score,
		Box: core.Box{X: c.X1, Y: c.Y1, W: c.X2 - c.X1, H: c.Y2 - c.Y1},
	}
}

// Decode is a family's decoding after a forward pass: it collects the
// candidates of each part of the model's outputs (a NanoDet level, a
// BlazeFace anchor set), in order, with decode into (*cands)[:0], keeps
// the slice in *cands for the next frame, and turns them into detections
// as ToDetections does.
func Decode[P any](cands *[]nms.Candidate, parts []P, decode func([]nms.Candidate, P) ([]nms.Candidate, error), thr float32, labels []string) ([]core.Detection, error) {
	c, err := (*cands)[:0], error(nil)
	for _, p := range parts {
		if c, err = decode(c, p); err != nil {
			break
		}
	}
	*cands = c
	if err != nil {
		return nil, err
	}
	return ToDetections(c, thr, labels), nil
}

// BestClass is the index and score of the highest of the class scores row
// (the first of equals).
func BestClass(row []float32) (best int, score float32) {
	best, score = 0, row[0]
	for c, v := range row {
		if v > score {
			best, score = c, v
		}
	}
	return best, score
}

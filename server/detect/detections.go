package detect

import "github.com/framewire/framewire/server/detect/nms"

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

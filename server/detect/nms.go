package detect

import (
	"cmp"
	"slices"
)

// candidate is a scored box before non-maximum suppression, corners in any
// consistent pixel space.
type candidate struct {
	x1, y1, x2, y2 float32
	score          float32
	class          int
}

// iou is the intersection over union of two candidates' boxes.
func (a candidate) iou(b candidate) float32 {
	w := min(a.x2, b.x2) - max(a.x1, b.x1)
	h := min(a.y2, b.y2) - max(a.y1, b.y1)
	if w <= 0 || h <= 0 {
		return 0
	}
	inter := w * h
	union := (a.x2-a.x1)*(a.y2-a.y1) + (b.x2-b.x1)*(b.y2-b.y1) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// nms runs greedy per-class non-maximum suppression: it sorts cands by
// descending score, in place, and moves the kept candidates to the front,
// dropping any box whose IoU with a higher-scoring kept box of the same class
// exceeds thr. It returns the kept prefix of cands (no allocation).
func nms(cands []candidate, thr float32) []candidate {
	slices.SortFunc(cands, func(a, b candidate) int { return cmp.Compare(b.score, a.score) })
	k := 0
	for i := range cands {
		c := cands[i]
		keep := true
		for j := 0; j < k; j++ {
			if cands[j].class == c.class && cands[j].iou(c) > thr {
				keep = false
				break
			}
		}
		if keep {
			cands[k] = c
			k++
		}
	}
	return cands[:k]
}

// toDetections runs NMS over cands at IoU thr and turns the kept ones into
// detections named from labels by class. The slice is new (nil when empty).
func toDetections(cands []candidate, thr float32, labels []string) []Detection {
	kept := nms(cands, thr)
	if len(kept) == 0 {
		return nil
	}
	dets := make([]Detection, len(kept))
	for i, c := range kept {
		dets[i] = Detection{
			Label: labels[c.class], ClassID: c.class, Score: c.score,
			Box: Box{X: c.x1, Y: c.y1, W: c.x2 - c.x1, H: c.y2 - c.y1},
		}
	}
	return dets
}

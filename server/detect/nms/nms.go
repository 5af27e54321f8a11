// Package nms is greedy per-class non-maximum suppression of scored boxes,
// the last step of the detectors' post-processing.
package nms

import (
	"cmp"
	"slices"
)

// Candidate is a scored box before non-maximum suppression, corners in any
// consistent pixel space.
type Candidate struct {
	X1, Y1, X2, Y2 float32
	Score          float32
	Class          int
}

// IoU is the intersection over union of two candidates' boxes.
func (a Candidate) IoU(b Candidate) float32 {
	w := min(a.X2, b.X2) - max(a.X1, b.X1)
	h := min(a.Y2, b.Y2) - max(a.Y1, b.Y1)
	if w <= 0 || h <= 0 {
		return 0
	}
	inter := w * h
	union := a.area() + b.area() - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// area is the area of a's box.
func (a Candidate) area() float32 { return (a.X2 - a.X1) * (a.Y2 - a.Y1) }

// Suppress runs greedy per-class non-maximum suppression: it sorts cands by
// descending score, in place, and moves the kept candidates to the front,
// dropping any box whose IoU with a higher-scoring kept box of the same class
// exceeds thr. It returns the kept prefix of cands (no allocation).
func Suppress(cands []Candidate, thr float32) []Candidate {
	slices.SortFunc(cands, func(a, b Candidate) int { return cmp.Compare(b.Score, a.Score) })
	k := 0
	for i := range cands {
		if c := cands[i]; !overlapsKept(cands[:k], c, thr) {
			cands[k] = c
			k++
		}
	}
	return cands[:k]
}

// overlapsKept says whether c overlaps a kept candidate of its class by
// more than thr.
func overlapsKept(kept []Candidate, c Candidate, thr float32) bool {
	for _, k := range kept {
		if k.Class == c.Class && k.IoU(c) > thr {
			return true
		}
	}
	return false
}

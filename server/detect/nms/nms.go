// Package nms holds the candidate boxes of the detectors' post-processing:
// mapped from a net's input to the frame's pixels, then greedy per-class
// non-maximum suppression.
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

// FrameMap maps boxes from the input pixels of a net to the pixels of the
// frame they came from: remove the padding, scale, clip to the frame.
type FrameMap struct {
	padX, padY, kx, ky, fw, fh float32
}

// NewFrameMap maps an input holding a frameW x frameH frame scaled to
// w x h at offset padX, padY.
func NewFrameMap(frameW, frameH, w, h, padX, padY int) FrameMap {
	return FrameMap{
		padX: float32(padX), padY: float32(padY),
		kx: float32(frameW) / float32(w), ky: float32(frameH) / float32(h),
		fw: float32(frameW), fh: float32(frameH),
	}
}

// Candidate maps the box x1, y1, x2, y2 in input pixels to a candidate in
// frame pixels; ok is false when nothing of it is left in the frame.
func (m FrameMap) Candidate(x1, y1, x2, y2, score float32, class int) (c Candidate, ok bool) {
	c = Candidate{
		X1: clamp((x1-m.padX)*m.kx, 0, m.fw), Y1: clamp((y1-m.padY)*m.ky, 0, m.fh),
		X2: clamp((x2-m.padX)*m.kx, 0, m.fw), Y2: clamp((y2-m.padY)*m.ky, 0, m.fh),
		Score: score, Class: class,
	}
	return c, c.X2 > c.X1 && c.Y2 > c.Y1
}

// clamp limits v to [lo, hi].
func clamp(v, lo, hi float32) float32 {
	return min(max(v, lo), hi)
}

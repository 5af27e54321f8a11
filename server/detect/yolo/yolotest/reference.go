package yolotest

import (
	"math"
	"sort"
)

// Found is a detection of the reference decoder: class, score and corners
// in frame pixels.
type Found struct {
	Class          int
	Score          float64
	X1, Y1, X2, Y2 float64
}

// letterbox is Ultralytics' placement of a w x h frame in an s x s input:
// the gain and the left and top padding.
func letterbox(w, h, s int) (gain, padX, padY float64) {
	gain = math.Min(float64(s)/float64(h), float64(s)/float64(w))
	uw, uh := math.RoundToEven(float64(w)*gain), math.RoundToEven(float64(h)*gain)
	padX = math.RoundToEven((float64(s)-uw)/2 - 0.1)
	padY = math.RoundToEven((float64(s)-uh)/2 - 0.1)
	return gain, padX, padY
}

// ToInput is the box x1, y1, x2, y2 of a w x h frame in the pixels of the
// s x s input it is letterboxed into, as centre and size.
func ToInput(x1, y1, x2, y2 float64, w, h, s int) (cx, cy, bw, bh float64) {
	gain, padX, padY := letterbox(w, h, s)
	return (x1+x2)/2*gain + padX, (y1+y2)/2*gain + padY, (x2 - x1) * gain, (y2 - y1) * gain
}

// Reference decodes what s planted for a w x h frame as Ultralytics'
// post-processing does: score (objectness times class score for YOLOv5) at
// least conf, centre-size to corners, undo the letterbox, clip to the
// frame, greedy per-class NMS at IoU iou. Best score first.
func Reference(s Spec, w, h int, conf, iou float64) []Found {
	gain, padX, padY := letterbox(w, h, s.Size)
	var cands []Found
	for _, b := range s.Boxes {
		score := b.Score
		if s.V5 {
			score *= b.Obj
		}
		if score < conf {
			continue
		}
		clip := func(v, hi float64) float64 { return math.Max(0, math.Min(v, hi)) }
		cands = append(cands, Found{Class: b.Class, Score: score,
			X1: clip((b.CX-b.W/2-padX)/gain, float64(w)), Y1: clip((b.CY-b.H/2-padY)/gain, float64(h)),
			X2: clip((b.CX+b.W/2-padX)/gain, float64(w)), Y2: clip((b.CY+b.H/2-padY)/gain, float64(h))})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Score > cands[j].Score })
	var kept []Found
	for _, c := range cands {
		if !overlaps(kept, c, iou) {
			kept = append(kept, c)
		}
	}
	return kept
}

// overlaps says whether c overlaps a kept box of its class by more than iou.
func overlaps(kept []Found, c Found, iou float64) bool {
	for _, k := range kept {
		iw := math.Min(k.X2, c.X2) - math.Max(k.X1, c.X1)
		ih := math.Min(k.Y2, c.Y2) - math.Max(k.Y1, c.Y1)
		if k.Class != c.Class || iw <= 0 || ih <= 0 {
			continue
		}
		inter := iw * ih
		union := (k.X2-k.X1)*(k.Y2-k.Y1) + (c.X2-c.X1)*(c.Y2-c.Y1) - inter
		if inter/union > iou {
			return true
		}
	}
	return false
}

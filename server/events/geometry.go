package events

import (
	"github.com/framewire/framewire/internal/zonefile"
	"github.com/framewire/framewire/proto/record"
)

// point is a position in frame pixels.
type point struct{ x, y float64 }

// anchorOf is the point of box b that counts, by the rules' anchor.
func anchorOf(anchor string, b [4]float32) point {
	x, y, w, h := float64(b[0]), float64(b[1]), float64(b[2]), float64(b[3])
	switch anchor {
	case zonefile.AnchorCenter:
		return point{x + w/2, y + h/2}
	case zonefile.AnchorTopCenter:
		return point{x + w/2, y}
	}
	return point{x + w/2, y + h}
}

// side says on which side of the segment from -> to p is: +1 on the in
// side (the arrow from -> to turned a quarter turn clockwise, y down), -1
// on the out side, 0 on the line. ok is false when p is past either end
// of the segment (its projection falls outside it).
func side(from, to, p point) (s int, ok bool) {
	dx, dy := to.x-from.x, to.y-from.y
	px, py := p.x-from.x, p.y-from.y
	t := (dx*px + dy*py) / (dx*dx + dy*dy)
	if t < 0 || t > 1 {
		return 0, false
	}
	switch n := -dy*px + dx*py; {
	case n > 0:
		return 1, true
	case n < 0:
		return -1, true
	}
	return 0, true
}

// inside says whether p is inside poly (even-odd rule; a point on the
// boundary may fall either way, the same way every time).
func inside(poly []point, p point) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.y > p.y) != (b.y > p.y) && p.x < (b.x-a.x)*(p.y-a.y)/(b.y-a.y)+a.x {
			in = !in
		}
	}
	return in
}

// toPoint is [x, y] as a point.
func toPoint(v []float64) point { return point{v[0], v[1]} }

// frameTimeUs is a frame's time for dwell: its position in a video file,
// else its capture time, in microseconds.
func frameTimeUs(f record.Frame) int64 {
	if f.PositionUs != nil {
		return *f.PositionUs
	}
	return f.CaptureUnixNano / 1000
}

package track

// Box is an axis-aligned box: top-left corner, width and height, in pixels.
type Box struct{ X, Y, W, H float32 }

// Detection is one object found in a frame.
type Detection struct {
	Class int
	Score float32
	Box   Box
}

// iou is the intersection over union of a and b (0 when either is empty).
func iou(a, b Box) float64 {
	inter := intersection(a, b)
	union := a.area() + b.area() - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// intersection is the area a and b share.
func intersection(a, b Box) float64 {
	iw := min(a.X+a.W, b.X+b.W) - max(a.X, b.X)
	ih := min(a.Y+a.H, b.Y+b.H) - max(a.Y, b.Y)
	if iw <= 0 || ih <= 0 {
		return 0
	}
	return float64(iw) * float64(ih)
}

// area is b's area.
func (b Box) area() float64 { return float64(b.W) * float64(b.H) }

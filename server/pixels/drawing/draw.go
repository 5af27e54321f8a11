// Package drawing draws a frame's annotations in place: each detection's
// box and caption, and a stream's counting rules (zones and lines) under
// them. Part of the server's pixel side (package pixels), which calls it
// on its workers.
package drawing

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
)

// Draw draws every detection's box and a "label 0.82" caption on img, in
// place, with a colour per class; a tracked detection is captioned
// "label #12 0.82" and coloured by its track id, so that an id switch
// shows. Line width and font size scale with the frame so captions stay
// readable on small and large frames. Boxes are drawn first and captions
// over them, each where it covers no earlier caption (see placeCaption),
// so neighbours' captions stay readable. An empty or nil img is left
// alone. Draw keeps no state and is safe for concurrent use on different
// images.
func Draw(img *gocv.Mat, dets []core.Detection) {
	if img == nil || img.Ptr() == nil || img.Empty() || len(dets) == 0 {
		return
	}
	st := newDrawStyle(img.Cols(), img.Rows())
	bounds := image.Rect(0, 0, img.Cols(), img.Rows())
	boxes := make([]image.Rectangle, len(dets))
	for i, d := range dets {
		boxes[i] = boxRect(d).Intersect(bounds)
		if !boxes[i].Empty() {
			outline(img, boxes[i], detectionColor(d), st.thick)
		}
	}
	placed := make([]image.Rectangle, 0, len(dets))
	for i, d := range dets {
		if !boxes[i].Empty() {
			placed = append(placed, st.drawCaption(img, caption(d), boxes[i], detectionColor(d), bounds, placed))
		}
	}
}

// captionFont is the font of the captions.
const captionFont = gocv.FontHersheySimplex

// drawStyle is the line and text sizes for an image, from its short side.
type drawStyle struct {
	thick, textThick int
	fontScale        float64
}

// newDrawStyle is the style for a w x h image.
func newDrawStyle(w, h int) drawStyle {
	short := float64(min(w, h))
	return drawStyle{
		thick:     max(1, int(math.Round(short/300))),
		fontScale: max(0.4, short/900),
		textThick: max(1, int(math.Round(short/600))),
	}
}

// boxRect is d's box rounded to whole pixels.
func boxRect(d core.Detection) image.Rectangle {
	return image.Rect(
		int(math.Round(float64(d.Box.X))), int(math.Round(float64(d.Box.Y))),
		int(math.Round(float64(d.Box.X+d.Box.W))), int(math.Round(float64(d.Box.Y+d.Box.H))),
	)
}

// drawCaption writes label on a col background by the box r, clear of
// the captions placed so far, and returns where it went.
func (st drawStyle) drawCaption(img *gocv.Mat, label string, r image.Rectangle, col color.RGBA, bounds image.Rectangle, placed []image.Rectangle) image.Rectangle {
	ts, base := gocv.GetTextSizeWithBaseline(label, captionFont, st.fontScale, st.textThick)
	pad := max(2, st.thick)
	bg := placeCaption(r, image.Pt(ts.X+2*pad, ts.Y+base+pad), bounds, placed)
	fillRect(img, image.Rect(bg.Min.X, bg.Min.Y, bg.Max.X+1, bg.Max.Y+1), col) // as OpenCV's, its last row and column too
	gocv.PutTextWithParams(img, label, image.Pt(bg.Min.X+pad, bg.Min.Y+ts.Y+pad/2), captionFont, st.fontScale,
		textColor(col), st.textThick, gocv.LineAA, false)
	return bg
}

// placeCaption is where a caption of size c goes for the box r: the first
// of above the box, inside its top, below it and inside its bottom that
// fits within bounds' height and overlaps no placed caption; when every
// one overlaps, the first that fits. It starts at the box's left, moved
// left to stay within bounds, and is cut to bounds when wider than them.
func placeCaption(r image.Rectangle, c image.Point, bounds image.Rectangle, placed []image.Rectangle) image.Rectangle {
	left := max(bounds.Min.X, min(r.Min.X, bounds.Max.X-c.X))
	var fits []image.Rectangle
	for _, top := range []int{r.Min.Y - c.Y, r.Min.Y, r.Max.Y, r.Max.Y - c.Y} {
		if top >= bounds.Min.Y && top+c.Y <= bounds.Max.Y {
			fits = append(fits, image.Rect(left, top, left+c.X, top+c.Y).Intersect(bounds))
		}
	}
	for _, at := range fits {
		if !overlapsAny(at, placed) {
			return at
		}
	}
	if len(fits) > 0 {
		return fits[0]
	}
	return image.Rect(left, r.Min.Y, left+c.X, r.Min.Y+c.Y).Intersect(bounds)
}

// overlapsAny says whether r overlaps one of rs.
func overlapsAny(r image.Rectangle, rs []image.Rectangle) bool {
	for _, o := range rs {
		if r.Overlaps(o) {
			return true
		}
	}
	return false
}

// caption is "label 0.82", or "label #12 0.82" for a tracked detection.
func caption(d core.Detection) string {
	if d.TrackID > 0 {
		return fmt.Sprintf("%s #%d %.2f", d.Label, d.TrackID, d.Score)
	}
	return fmt.Sprintf("%s %.2f", d.Label, d.Score)
}

// detectionColor is the track's colour for a tracked detection, else the class's.
func detectionColor(d core.Detection) color.RGBA {
	if d.TrackID > 0 {
		return classColor(int(d.TrackID % 1000003))
	}
	return classColor(d.ClassID)
}

// classColor picks a saturated colour for a class id, spreading hues by the
// golden ratio so neighbouring ids differ.
func classColor(id int) color.RGBA {
	hue := math.Mod(float64(id)*0.618033988749895+0.12, 1) * 6
	r, g, b := hueRGB(hue)
	return color.RGBA{R: uint8(r), G: uint8(g), B: uint8(b), A: 255}
}

// hueRGB is the colour of hue (0 to 6) at the palette's value and
// saturation.
func hueRGB(hue float64) (r, g, b float64) {
	i := int(hue)
	f := hue - float64(i)
	const v, s = 235.0, 0.85
	p := v * (1 - s)
	q := v * (1 - s*f)
	t := v * (1 - s*(1-f))
	return sextant(i%6, v, p, q, t)
}

// sextant arranges the HSV components v, p, q, t as R, G, B for sextant i
// of the hue circle.
func sextant(i int, v, p, q, t float64) (r, g, b float64) {
	switch i {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	}
	return v, p, q
}

// textColor is black or white, whichever reads better on bg.
func textColor(bg color.RGBA) color.RGBA {
	if 0.299*float64(bg.R)+0.587*float64(bg.G)+0.114*float64(bg.B) > 140 {
		return color.RGBA{A: 255}
	}
	return color.RGBA{R: 255, G: 255, B: 255, A: 255}
}

// outline draws r's border t pixels thick around its edges (the columns
// r.Min.X and r.Max.X, the rows r.Min.Y and r.Max.Y) as four filled
// bands, each as wide as the solid core of OpenCV's anti-aliased line of
// thickness t (1, 3, 5 and 5 pixels for t = 1 to 4), without its faint
// fringe: a region set at once costs a tenth of the anti-aliased thick
// rectangle (about 2 against 20 us a box).
func outline(img *gocv.Mat, r image.Rectangle, col color.RGBA, t int) {
	h := t / 2 // the band's pixels on each side of the edge
	if t > 1 && t%2 == 1 {
		h++
	}
	band := func(x0, y0, x1, y1 int) { fillRect(img, image.Rect(x0-h, y0-h, x1+h+1, y1+h+1), col) }
	band(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y)
	band(r.Min.X, r.Max.Y, r.Max.X, r.Max.Y)
	band(r.Min.X, r.Min.Y, r.Min.X, r.Max.Y)
	band(r.Max.X, r.Min.Y, r.Max.X, r.Max.Y)
}

// fillRect paints the part of r inside img with col.
func fillRect(img *gocv.Mat, r image.Rectangle, col color.RGBA) {
	r = r.Intersect(image.Rect(0, 0, img.Cols(), img.Rows()))
	if r.Empty() {
		return
	}
	roi := img.Region(r)
	roi.SetTo(gocv.NewScalar(float64(col.B), float64(col.G), float64(col.R), 0))
	// Closing a region frees only its header; it cannot fail.
	_ = roi.Close()
}

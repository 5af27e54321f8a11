package pixels

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
// "label #12 0.82" and coloured by its track id, so that an id switch shows. Line width and font size scale with the
// frame so captions stay readable on small and large frames. An empty or
// nil img is left alone. Draw keeps no state and is safe for concurrent use
// on different images.
func Draw(img *gocv.Mat, dets []core.Detection) {
	if img == nil || img.Ptr() == nil || img.Empty() || len(dets) == 0 {
		return
	}
	w, h := img.Cols(), img.Rows()
	short := float64(min(w, h))
	thick := max(1, int(math.Round(short/300)))
	fontScale := max(0.4, short/900)
	textThick := max(1, int(math.Round(short/600)))
	const font = gocv.FontHersheySimplex
	bounds := image.Rect(0, 0, w, h)
	for _, d := range dets {
		r := image.Rect(
			int(math.Round(float64(d.Box.X))), int(math.Round(float64(d.Box.Y))),
			int(math.Round(float64(d.Box.X+d.Box.W))), int(math.Round(float64(d.Box.Y+d.Box.H))),
		).Intersect(bounds)
		if r.Empty() {
			continue
		}
		col := detectionColor(d)
		gocv.Rectangle(img, r, col, thick)

		label := caption(d)
		ts, base := gocv.GetTextSizeWithBaseline(label, font, fontScale, textThick)
		pad := max(2, thick)
		capH := ts.Y + base + pad
		// Caption above the box when it fits, else just inside its top.
		top := r.Min.Y - capH
		if top < 0 {
			top = r.Min.Y
		}
		left := min(r.Min.X, max(0, w-ts.X-2*pad))
		bg := image.Rect(left, top, left+ts.X+2*pad, top+capH).Intersect(bounds)
		gocv.Rectangle(img, bg, col, -1)
		gocv.PutTextWithParams(img, label, image.Pt(left+pad, top+ts.Y+pad/2), font, fontScale,
			textColor(col), textThick, gocv.LineAA, false)
	}
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
	i := int(hue)
	f := hue - float64(i)
	const v, s = 235.0, 0.85
	p := v * (1 - s)
	q := v * (1 - s*f)
	t := v * (1 - s*(1-f))
	var r, g, b float64
	switch i % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.RGBA{R: uint8(r), G: uint8(g), B: uint8(b), A: 255}
}

// textColor is black or white, whichever reads better on bg.
func textColor(bg color.RGBA) color.RGBA {
	if 0.299*float64(bg.R)+0.587*float64(bg.G)+0.114*float64(bg.B) > 140 {
		return color.RGBA{A: 255}
	}
	return color.RGBA{R: 255, G: 255, B: 255, A: 255}
}

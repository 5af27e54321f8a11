package drawing

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
)

// Colours of the counting rules: lines yellow, zones cyan.
var (
	lineColor = color.RGBA{R: 255, G: 220, B: 0, A: 255}
	zoneColor = color.RGBA{R: 0, G: 220, B: 255, A: 255}
)

// DrawOverlay draws a stream's counting rules on img, in place: each
// zone's outline captioned "name: 2 inside, 5 entered", each line with an
// arrow pointing to its in side, captioned "name: in 3 out 1". Drawn
// before the boxes, so that the boxes stay on top. An empty img is left
// alone; safe for concurrent use on different images.
func DrawOverlay(img *gocv.Mat, o core.Overlay) {
	if img == nil || img.Ptr() == nil || img.Empty() || len(o.Lines)+len(o.Zones) == 0 {
		return
	}
	st := newDrawStyle(img.Cols(), img.Rows())
	bounds := image.Rect(0, 0, img.Cols(), img.Rows())
	var placed []image.Rectangle
	for _, z := range o.Zones {
		placed = append(placed, st.drawZone(img, z, bounds, placed))
	}
	for _, l := range o.Lines {
		placed = append(placed, st.drawLine(img, l, bounds, placed))
	}
}

// drawZone outlines z and captions it, clear of placed.
func (st drawStyle) drawZone(img *gocv.Mat, z core.OverlayZone, bounds image.Rectangle, placed []image.Rectangle) image.Rectangle {
	pts := make([]image.Point, len(z.Polygon))
	for i, p := range z.Polygon {
		pts[i] = pixel(p)
	}
	pv := gocv.NewPointsVectorFromPoints([][]image.Point{pts})
	defer pv.Close()
	gocv.Polylines(img, pv, true, zoneColor, st.thick+1)
	at := image.Rectangle{Min: pts[0], Max: pts[0]}.Intersect(bounds.Inset(1))
	if at.Empty() {
		at = image.Rectangle{Min: clampPt(pts[0], bounds), Max: clampPt(pts[0], bounds)}
	}
	return st.drawCaption(img, fmt.Sprintf("%s: %d inside, %d entered", z.Name, z.Inside, z.Entered), at, zoneColor, bounds, placed)
}

// drawLine draws l, an arrow from its middle to its in side, and its
// caption by its start, clear of placed.
func (st drawStyle) drawLine(img *gocv.Mat, l core.OverlayLine, bounds image.Rectangle, placed []image.Rectangle) image.Rectangle {
	from, to := pixel(l.From), pixel(l.To)
	gocv.Line(img, from, to, lineColor, st.thick+1)
	dx, dy := l.To[0]-l.From[0], l.To[1]-l.From[1]
	n := math.Hypot(dx, dy)
	arrow := 12 * float64(st.thick+2)
	mid := [2]float64{(l.From[0] + l.To[0]) / 2, (l.From[1] + l.To[1]) / 2}
	tip := [2]float64{mid[0] - dy/n*arrow, mid[1] + dx/n*arrow} // the in side: a quarter turn clockwise
	gocv.ArrowedLine(img, pixel(mid), pixel(tip), lineColor, st.thick+1)
	gocv.PutTextWithParams(img, "in", pixel(tip).Add(image.Pt(st.thick*2, 0)), captionFont, st.fontScale,
		lineColor, st.textThick, gocv.LineAA, false)
	at := clampPt(from, bounds)
	return st.drawCaption(img, fmt.Sprintf("%s: in %d out %d", l.Name, l.In, l.Out), image.Rectangle{Min: at, Max: at}, lineColor, bounds, placed)
}

// pixel is p rounded to a pixel.
func pixel(p [2]float64) image.Point {
	return image.Pt(int(math.Round(p[0])), int(math.Round(p[1])))
}

// clampPt is p moved into bounds.
func clampPt(p image.Point, b image.Rectangle) image.Point {
	return image.Pt(max(b.Min.X, min(p.X, b.Max.X-1)), max(b.Min.Y, min(p.Y, b.Max.Y-1)))
}

package drawing

import (
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
)

// The overlay draws a line in yellow with its arrow on the in side (a
// line drawn left to right: below it), a zone's outline, and survives
// rules partly or wholly outside the frame.
func TestDrawOverlay(t *testing.T) {
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), 240, 320, gocv.MatTypeCV8UC3)
	defer img.Close()
	DrawOverlay(&img, core.Overlay{
		Lines: []core.OverlayLine{{Name: "door", From: [2]float64{20, 120}, To: [2]float64{300, 120}, In: 3, Out: 1},
			{Name: "away", From: [2]float64{-500, -500}, To: [2]float64{-400, -900}}},
		Zones: []core.OverlayZone{{Name: "shop", Polygon: [][2]float64{{200, 150}, {310, 150}, {310, 230}, {200, 230}}, Inside: 1, Entered: 2},
			{Name: "huge", Polygon: [][2]float64{{-1000, -1000}, {5000, -1000}, {5000, 5000}}}},
	})
	yellow := func(x, y int) bool {
		v := img.GetVecbAt(y, x) // BGR
		return v[2] > 200 && v[1] > 180 && v[0] < 80
	}
	if !yellow(100, 120) {
		t.Error("the line is not drawn in yellow")
	}
	below, above := 0, 0
	for y := 121; y < 160; y++ {
		if yellow(160, y) {
			below++
		}
	}
	for y := 80; y < 119; y++ {
		if yellow(160, y) {
			above++
		}
	}
	if below < 10 || above > 2 {
		t.Errorf("arrow: %d yellow pixels below the line, %d above; want it below (the in side)", below, above)
	}
	if v := img.GetVecbAt(190, 200); v[0] < 200 {
		t.Errorf("zone outline at (200, 190) is %v, want cyan", v)
	}
}

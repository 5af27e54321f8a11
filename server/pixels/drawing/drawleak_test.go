//go:build matprofile

package drawing

import (
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
)

// TestDrawNoMatLeaks checks, with gocv's Mat profile (build tag
// matprofile), that Draw x N leaves no Mat open (its share of the detect
// package's New + Detect + Draw + Close check).
func TestDrawNoMatLeaks(t *testing.T) {
	img := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(0, 0, 0, 0), 480, 640, gocv.MatTypeCV8UC3)
	defer img.Close()
	dets := []core.Detection{{Label: "person", Score: 0.8, Box: core.Box{X: 40, Y: 30, W: 100, H: 200}}, {Label: "dog", ClassID: 16, Score: 0.5, TrackID: 3, Box: core.Box{X: 300, Y: 200, W: 80, H: 60}}}
	before := gocv.MatProfile.Count()
	for range 5 {
		Draw(&img, dets)
	}
	if after := gocv.MatProfile.Count(); after != before {
		t.Errorf("Draw: %d Mats open before, %d after", before, after)
	}
}

package videoframe

import (
	"image"
	"image/color"
	"testing"

	"gocv.io/x/gocv"
)

func TestOddPictureLosesItsLastRowAndColumn(t *testing.T) {
	bgr := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(255, 0, 0, 0), 51, 67, gocv.MatTypeCV8UC3) // blue
	defer bgr.Close()
	gocv.Rectangle(&bgr, image.Rect(0, 0, 20, 51), color.RGBA{255, 255, 255, 0}, -1) // white left part
	v, err := FromBGR(bgr)
	if err != nil {
		t.Fatal(err)
	}
	if v.Width != 66 || v.Height != 50 || len(v.I420) != 66*50*3/2 {
		t.Fatalf("got %dx%d in %d bytes, want 66x50 in %d", v.Width, v.Height, len(v.I420), 66*50*3/2)
	}
	// Studio-range luma: white 235, blue 41 (BT.601); U of blue high.
	if y := v.I420[10*66+5]; y < 230 {
		t.Errorf("luma of white %d, want about 235", y)
	}
	if y := v.I420[10*66+50]; y < 35 || y > 47 {
		t.Errorf("luma of blue %d, want about 41", y)
	}
	if u := v.I420[66*50+5*33+30]; u < 230 {
		t.Errorf("U of blue %d, want about 240", u)
	}
}

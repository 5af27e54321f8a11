package videoframe

import (
	"fmt"
	"image"
	"image/color"
	"syscall"
	"testing"
	"time"

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

// BenchmarkFromBGR is the conversion's cost at 576p and 1080p: wall
// time, and CPU time of the whole process (OpenCV may use threads).
func BenchmarkFromBGR(b *testing.B) {
	for _, size := range [][2]int{{768, 576}, {1920, 1080}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			bgr := gocv.NewMatWithSize(size[1], size[0], gocv.MatTypeCV8UC3)
			defer bgr.Close()
			before := cpu()
			for b.Loop() {
				if _, err := FromBGR(bgr); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpu()-before).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpu is the process's CPU time.
func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

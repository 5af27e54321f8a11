// Package videoframe turns an annotated picture into the pixels a
// stream's video encoder takes: I420 at even sizes, in Go memory.
package videoframe

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
)

// FromBGR is bgr (8-bit BGR) as I420 at even sizes (an odd last row or
// column left out).
func FromBGR(bgr gocv.Mat) (core.VideoFrame, error) {
	w, h := bgr.Cols()&^1, bgr.Rows()&^1
	if w == 0 || h == 0 {
		return core.VideoFrame{}, fmt.Errorf("a %dx%d picture has no video frame", bgr.Cols(), bgr.Rows())
	}
	src := bgr
	if w != bgr.Cols() || h != bgr.Rows() {
		region := bgr.Region(image.Rect(0, 0, w, h))
		defer region.Close()
		src = region.Clone() // the conversion wants whole rows
		defer src.Close()
	}
	yuv := gocv.NewMat()
	defer yuv.Close()
	gocv.CvtColor(src, &yuv, gocv.ColorBGRToYUVI420)
	if yuv.Empty() {
		return core.VideoFrame{}, fmt.Errorf("convert a %dx%d picture to I420", w, h)
	}
	return core.VideoFrame{I420: yuv.ToBytes(), Width: w, Height: h}, nil
}

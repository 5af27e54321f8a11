package pixels

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
)

var _ core.VideoPicture = (*picture)(nil)

// KeepVideo has the next Annotate give keep the annotated pixels as I420.
func (p *picture) KeepVideo(keep func(core.VideoFrame)) { p.video = keep }

// toI420 is bgr as I420 at even sizes (an odd last row or column left
// out), in Go memory.
func toI420(bgr gocv.Mat) (core.VideoFrame, error) {
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

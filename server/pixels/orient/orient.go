// Package orient turns a photo's stored pixels the way its EXIF orientation says.
package orient

import (
	"gocv.io/x/gocv"

	"github.com/framewire/framewire/internal/exif"
)

// Upright returns img, a photo's stored pixels, turned the way its EXIF
// orientation o says (exif.Orientation), so that it is the photo as
// viewers show it. It returns img itself for an upright one; otherwise
// it closes img and the caller owns the returned Mat.
func Upright(img gocv.Mat, o int) gocv.Mat {
	if o <= exif.Upright || o > exif.Rotate90CCW {
		return img
	}
	defer img.Close()
	out := gocv.NewMat()
	switch o {
	case exif.FlipH:
		gocv.Flip(img, &out, 1)
	case exif.Rotate180:
		gocv.Rotate(img, &out, gocv.Rotate180Clockwise)
	case exif.FlipV:
		gocv.Flip(img, &out, 0)
	case exif.Transpose:
		gocv.Transpose(img, &out)
	case exif.Rotate90CW:
		gocv.Rotate(img, &out, gocv.Rotate90Clockwise)
	case exif.Transverse:
		// Turned clockwise, then mirrored top to bottom.
		gocv.Rotate(img, &out, gocv.Rotate90Clockwise)
		gocv.Flip(out, &out, 0)
	case exif.Rotate90CCW:
		gocv.Rotate(img, &out, gocv.Rotate90CounterClockwise)
	}
	return out
}

package capture

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// encodeJPEG resizes img as opts ask (into scaled, reused) and encodes it
// with params. It returns the JPEG bytes (Go memory, the caller's) and
// the encoded size.
func encodeJPEG(img gocv.Mat, scaled *gocv.Mat, opts Options, params []int) ([]byte, int, int, error) {
	w, h := opts.outputSize(img.Cols(), img.Rows())
	if w != img.Cols() || h != img.Rows() {
		interp := gocv.InterpolationLinear
		if w < img.Cols() && h < img.Rows() {
			interp = gocv.InterpolationArea
		}
		gocv.Resize(img, scaled, image.Pt(w, h), 0, 0, interp)
		img = *scaled
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, params)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("as JPEG: %w", err)
	}
	defer buf.Close()
	if buf.Len() == 0 {
		return nil, 0, 0, fmt.Errorf("as JPEG: OpenCV produced no data")
	}
	data := make([]byte, buf.Len())
	copy(data, buf.GetBytes())
	return data, w, h, nil
}

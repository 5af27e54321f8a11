package capture

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"

	framewirepb "github.com/framewire/framewire/proto"
)

// encoded is one frame's bytes as sent, with their encoding and size.
type encoded struct {
	data []byte
	enc  framewirepb.Encoding
	w, h int
}

// encodeFrame resizes img as opts ask (into scaled, reused) and encodes
// it: as raw BGR pixels when opts.Raw allows a frame of this size, else
// as JPEG with params. The bytes are Go memory, the caller's.
func encodeFrame(img gocv.Mat, scaled *gocv.Mat, opts Options, params []int) (encoded, error) {
	img = resize(img, scaled, opts)
	if opts.sendsRaw(img.Cols(), img.Rows()) {
		return rawBGR(img)
	}
	data, err := encodeJPEG(img, params)
	return encoded{data, framewirepb.Encoding_ENCODING_JPEG, img.Cols(), img.Rows()}, err
}

// resize returns img at the size opts ask, drawn into scaled when it
// differs: shrinking averages pixels, enlarging interpolates.
func resize(img gocv.Mat, scaled *gocv.Mat, opts Options) gocv.Mat {
	w, h := opts.outputSize(img.Cols(), img.Rows())
	if w == img.Cols() && h == img.Rows() {
		return img
	}
	interp := gocv.InterpolationLinear
	if w < img.Cols() && h < img.Rows() {
		interp = gocv.InterpolationArea
	}
	gocv.Resize(img, scaled, image.Pt(w, h), 0, 0, interp)
	return *scaled
}

// rawBGR copies the pixels of an 8-bit, 3-channel img.
func rawBGR(img gocv.Mat) (encoded, error) {
	if img.Type() != gocv.MatTypeCV8UC3 {
		return encoded{}, fmt.Errorf("as raw BGR: the frame is of type %v, not 8-bit BGR", img.Type())
	}
	if !img.IsContinuous() {
		img = img.Clone()
		defer img.Close()
	}
	return encoded{img.ToBytes(), framewirepb.Encoding_ENCODING_RAW_BGR, img.Cols(), img.Rows()}, nil
}

// encodeJPEG encodes img with params into Go memory.
func encodeJPEG(img gocv.Mat, params []int) ([]byte, error) {
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, img, params)
	if err != nil {
		return nil, fmt.Errorf("as JPEG: %w", err)
	}
	defer buf.Close()
	if buf.Len() == 0 {
		return nil, fmt.Errorf("as JPEG: OpenCV produced no data")
	}
	data := make([]byte, buf.Len())
	copy(data, buf.GetBytes())
	return data, nil
}

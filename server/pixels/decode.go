package pixels

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image/png"

	"gocv.io/x/gocv"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
)

// DefaultMaxPixels is the largest frame accepted when no limit is set:
// 8K UHD (7680x4320).
const DefaultMaxPixels = 7680 * 4320

// checkFrame validates f's size from its header bytes alone, before any
// pixels are allocated, so that a small file claiming a huge image (a
// decompression bomb) is refused cheaply.
func checkFrame(f *pb.Frame, maxPixels int64) error {
	if len(f.GetData()) == 0 {
		return fmt.Errorf("%w: no image bytes", core.ErrBadFrame)
	}
	var w, h int64
	switch f.GetEncoding() {
	case pb.Encoding_ENCODING_JPEG:
		jw, jh, err := jpegSize(f.GetData())
		if err != nil {
			return fmt.Errorf("%w: not a readable JPEG: %v", core.ErrBadFrame, err)
		}
		w, h = int64(jw), int64(jh)
		if !hasEnd(f.GetData(), f.GetEncoding()) {
			return fmt.Errorf("%w: JPEG is truncated (no end marker)", core.ErrBadFrame)
		}
	case pb.Encoding_ENCODING_PNG:
		cfg, err := png.DecodeConfig(bytes.NewReader(f.GetData()))
		if err != nil {
			return fmt.Errorf("%w: not a readable PNG: %v", core.ErrBadFrame, err)
		}
		w, h = int64(cfg.Width), int64(cfg.Height)
		if !hasEnd(f.GetData(), f.GetEncoding()) {
			return fmt.Errorf("%w: PNG is truncated (no end marker)", core.ErrBadFrame)
		}
	case pb.Encoding_ENCODING_RAW_BGR:
		w, h = int64(f.GetWidth()), int64(f.GetHeight())
		if w <= 0 || h <= 0 {
			return fmt.Errorf("%w: raw BGR needs a positive width and height, got %dx%d", core.ErrBadFrame, w, h)
		}
		if w*h > maxPixels {
			break
		}
		if want := w * h * 3; int64(len(f.GetData())) != want {
			return fmt.Errorf("%w: raw BGR %dx%d needs %d bytes, got %d", core.ErrBadFrame, w, h, want, len(f.GetData()))
		}
	default:
		return fmt.Errorf("%w: unknown encoding %d", core.ErrBadFrame, f.GetEncoding())
	}
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: image has no pixels (%dx%d)", core.ErrBadFrame, w, h)
	}
	if w*h > maxPixels {
		return fmt.Errorf("%w: %dx%d is %d pixels, above the limit of %d", core.ErrBadFrame, w, h, w*h, maxPixels)
	}
	return nil
}

// jpegSize reads a JPEG's width and height from its frame header (SOFn)
// without decoding or allocating anything.
func jpegSize(b []byte) (w, h int, err error) {
	if len(b) < 4 || b[0] != 0xff || b[1] != 0xd8 {
		return 0, 0, errors.New("no start-of-image marker")
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			return 0, 0, fmt.Errorf("bad marker at byte %d", i)
		}
		m := b[i+1]
		switch {
		case m == 0xff: // fill byte
			i++
			continue
		case m == 0x01 || m >= 0xd0 && m <= 0xd8: // markers without a length
			i += 2
			continue
		case m == 0xd9 || m == 0xda:
			return 0, 0, errors.New("no frame header before the image data")
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 {
			return 0, 0, fmt.Errorf("bad segment length at byte %d", i)
		}
		if m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc {
			if i+9 > len(b) {
				break
			}
			return int(binary.BigEndian.Uint16(b[i+7:])), int(binary.BigEndian.Uint16(b[i+5:])), nil
		}
		i += 2 + n
	}
	return 0, 0, errors.New("unexpected end before the frame header")
}

// hasEnd reports whether data ends like a complete JPEG (an EOI marker,
// perhaps followed by a little padding) or PNG (an IEND chunk). OpenCV
// decodes a truncated JPEG without an error, filling the missing part grey.
func hasEnd(data []byte, e pb.Encoding) bool {
	tail := data[max(0, len(data)-64):]
	if e == pb.Encoding_ENCODING_PNG {
		return bytes.Contains(tail, []byte("IEND"))
	}
	return bytes.Contains(tail, []byte{0xff, 0xd9})
}

func encodingName(e pb.Encoding) string {
	switch e {
	case pb.Encoding_ENCODING_PNG:
		return "PNG"
	case pb.Encoding_ENCODING_RAW_BGR:
		return "raw BGR"
	}
	return "JPEG"
}

// decodeFrame turns a checked frame into an 8-bit Mat with its original
// channel count (1, 3 or 4). The caller owns the Mat. A raw BGR Mat shares
// f.Data, which must outlive it.
func decodeFrame(f *pb.Frame) (gocv.Mat, error) {
	if f.GetEncoding() == pb.Encoding_ENCODING_RAW_BGR {
		m, err := gocv.NewMatFromBytes(int(f.GetHeight()), int(f.GetWidth()), gocv.MatTypeCV8UC3, f.GetData())
		if err != nil {
			return gocv.Mat{}, fmt.Errorf("%w: raw BGR: %v", core.ErrBadFrame, err)
		}
		return m, nil
	}
	m, err := gocv.IMDecode(f.GetData(), gocv.IMReadUnchanged)
	if err != nil || m.Empty() {
		m.Close()
		return gocv.Mat{}, fmt.Errorf("%w: %s data could not be decoded (truncated or corrupt)", core.ErrBadFrame, encodingName(f.GetEncoding()))
	}
	if m.Type()&7 != gocv.MatTypeCV8U&7 {
		m.Close()
		return gocv.Mat{}, fmt.Errorf("%w: only 8-bit images are accepted", core.ErrBadFrame)
	}
	return m, nil
}

// toBGR returns img as 3-channel BGR: img itself when it already is one
// (ok false), otherwise a converted copy that the caller must close.
func toBGR(img gocv.Mat) (out gocv.Mat, converted bool, err error) {
	var code gocv.ColorConversionCode
	switch img.Channels() {
	case 3:
		return img, false, nil
	case 1:
		code = gocv.ColorGrayToBGR
	case 4:
		code = gocv.ColorBGRAToBGR
	default:
		return gocv.Mat{}, false, fmt.Errorf("%w: %d channels", core.ErrBadFrame, img.Channels())
	}
	out = gocv.NewMat()
	gocv.CvtColor(img, &out, code)
	return out, true, nil
}

// pixelMean is the mean of all bytes of img (every channel of every pixel).
func pixelMean(img gocv.Mat) float32 {
	s := img.Mean()
	v := [4]float64{s.Val1, s.Val2, s.Val3, s.Val4}
	var sum float64
	for _, x := range v[:img.Channels()] {
		sum += x
	}
	return float32(sum / float64(img.Channels()))
}

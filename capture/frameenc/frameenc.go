// Package frameenc turns decoded frames into the bytes a Frame carries:
// resized as asked, then JPEG or raw BGR pixels. Wrap makes a source of
// decoded frames (frames.Reader) a source of frames as the stream sends
// them, with one Encoder for the source's life (reconnections included).
package frameenc

import (
	"fmt"
	"image"
	"sync/atomic"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/capture/frames"
	framewirepb "github.com/framewire/framewire/proto"
)

// Config is how frames are encoded.
type Config struct {
	// Quality is the JPEG quality, 1..100.
	Quality int
	// Width and Height resize frames; 0,0 keeps the source size. If only
	// one is set the other follows from the source's aspect ratio.
	Width, Height int
	// Raw sends frames as uncompressed BGR pixels, up to MaxRawBytes
	// (0 = no limit); a larger frame goes as JPEG.
	Raw         bool
	MaxRawBytes int
}

var _ frames.Buffers = (*Encoder)(nil)

// Encoder encodes frames as its Config says. Encode and Close belong to
// one goroutine; LimitRaw, Get and Put may be called from any. It lends
// raw frames' buffers (frames.Buffers): those of frames sent and
// answered come back to it to be filled again.
type Encoder struct {
	cfg    Config
	scaled gocv.Mat // resize target, reused
	params []int    // IMEncode parameters
	maxRaw atomic.Int64
	free   chan []byte // raw frames' buffers given back (Put)
}

// New returns an Encoder; the caller must Close it.
func New(cfg Config) *Encoder {
	e := &Encoder{cfg: cfg, scaled: gocv.NewMat(), params: []int{gocv.IMWriteJpegQuality, cfg.Quality}, free: make(chan []byte, recycled)}
	e.maxRaw.Store(int64(cfg.MaxRawBytes))
	return e
}

// Close frees the encoder's buffer.
func (e *Encoder) Close() error { return e.scaled.Close() }

// Encode resizes img as asked and encodes it: as raw BGR pixels when the
// Config and the present raw limit allow a frame of this size and img is
// 8-bit BGR, else as JPEG (a grey or 4-channel camera's frames too). The
// bytes are Go memory, the caller's. pixels, when set, are img's own
// bytes, given with it (frames.Frame.Pixels): a raw frame not resized is
// sent as them, without a copy; otherwise they come back here (Put).
func (e *Encoder) Encode(img gocv.Mat, pixels []byte) (frames.Encoded, error) {
	out := e.resize(img)
	if out.Type() == gocv.MatTypeCV8UC3 && e.sendsRaw(out.Cols(), out.Rows()) {
		if out.Ptr() == img.Ptr() && len(pixels) == out.Rows()*out.Cols()*3 {
			return rawEncoded(pixels, out), nil
		}
		defer e.Put(pixels)
		return e.rawBGR(out), nil
	}
	defer e.Put(pixels)
	data, err := encodeJPEG(out, e.params)
	return frames.Encoded{Data: data, Encoding: framewirepb.Encoding_ENCODING_JPEG, Width: out.Cols(), Height: out.Rows()}, err
}

// rawEncoded is img's pixels px as a raw BGR frame.
func rawEncoded(px []byte, img gocv.Mat) frames.Encoded {
	return frames.Encoded{Data: px, Encoding: framewirepb.Encoding_ENCODING_RAW_BGR, Width: img.Cols(), Height: img.Rows()}
}

// LimitRaw lowers the largest raw frame to n bytes, as when the server
// says the largest message it takes; larger frames go as JPEG. A limit of
// n <= 0, or above the present one, changes nothing.
func (e *Encoder) LimitRaw(n int) {
	for {
		cur := e.maxRaw.Load()
		if n <= 0 || (cur != 0 && cur <= int64(n)) || e.maxRaw.CompareAndSwap(cur, int64(n)) {
			return
		}
	}
}

// sendsRaw says whether a w x h frame goes as raw pixels under the
// present limit.
func (e *Encoder) sendsRaw(w, h int) bool {
	c := e.cfg
	c.MaxRawBytes = int(e.maxRaw.Load())
	return c.SendsRaw(w, h)
}

// SendsRaw says whether a w x h BGR frame goes as raw pixels under c.
func (c Config) SendsRaw(w, h int) bool {
	return c.Raw && (c.MaxRawBytes == 0 || w*h*3 <= c.MaxRawBytes)
}

// resize returns img at the asked size, drawn into e.scaled when it
// differs: shrinking averages pixels, enlarging interpolates.
func (e *Encoder) resize(img gocv.Mat) gocv.Mat {
	w, h := e.cfg.Size(img.Cols(), img.Rows())
	if w == img.Cols() && h == img.Rows() {
		return img
	}
	interp := gocv.InterpolationLinear
	if w < img.Cols() && h < img.Rows() {
		interp = gocv.InterpolationArea
	}
	gocv.Resize(img, &e.scaled, image.Pt(w, h), 0, 0, interp)
	return e.scaled
}

// Size returns the size frames of srcW x srcH are encoded at.
func (c Config) Size(srcW, srcH int) (w, h int) {
	switch {
	case c.Width == 0 && c.Height == 0:
		return srcW, srcH
	case c.Width > 0 && c.Height > 0:
		return c.Width, c.Height
	case srcW <= 0 || srcH <= 0:
		return srcW, srcH
	case c.Width > 0:
		return c.Width, max(1, (c.Width*srcH+srcW/2)/srcW)
	default:
		return max(1, (c.Height*srcW+srcH/2)/srcH), c.Height
	}
}

// rawBGR copies the pixels of an 8-bit, 3-channel img into a recycled
// buffer when one is large enough, else into a new one.
func (e *Encoder) rawBGR(img gocv.Mat) frames.Encoded {
	if !img.IsContinuous() {
		img = img.Clone()
		defer img.Close()
	}
	px, err := img.DataPtrUint8()
	if err != nil {
		px = img.ToBytes()
	}
	data := e.Get(len(px))
	copy(data, px)
	return rawEncoded(data, img)
}

// Get is n bytes to fill: a buffer given back with room, else a new one.
func (e *Encoder) Get(n int) []byte {
	select {
	case b := <-e.free:
		if cap(b) >= n {
			return b[:n]
		}
	default:
	}
	return make([]byte, n)
}

// Put takes back the bytes of a raw frame that will never be read
// again, to fill with a later frame; beyond a few buffers they are left
// to the garbage collector. It is safe to call from any goroutine.
func (e *Encoder) Put(data []byte) {
	if data == nil {
		return
	}
	select {
	case e.free <- data:
	default:
	}
}

// recycled is how many spare buffers an Encoder keeps: a window of frames.
const recycled = 8

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

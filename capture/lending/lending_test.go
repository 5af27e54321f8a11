package lending

import (
	"image"
	"testing"
	"unsafe"

	"gocv.io/x/gocv"
)

// oneBuffer lends one buffer at a time and says whether it is out.
type oneBuffer struct {
	buf []byte
	out bool
}

func (o *oneBuffer) Get(n int) []byte {
	if o.out || len(o.buf) != n {
		return make([]byte, n)
	}
	o.out = true
	return o.buf
}

func (o *oneBuffer) Put(b []byte) {
	if unsafe.SliceData(b) == unsafe.SliceData(o.buf) {
		o.out = false
	}
}

// A frame read in place is handed over, and the next read goes into
// another Mat; a frame that came at another size is not, and its buffer
// goes back.
func TestHandOverOnlyAFrameReadInPlace(t *testing.T) {
	frame := gocv.NewMatWithSize(48, 64, gocv.MatTypeCV8UC3)
	defer func() { frame.Close() }()
	src := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(1, 2, 3, 0), 48, 64, gocv.MatTypeCV8UC3)
	defer src.Close()
	bufs := &oneBuffer{buf: make([]byte, 48*64*3)}
	l := Lender{Buffers: bufs}

	l.Prepare(&frame)
	src.CopyTo(&frame) // a read at the same size: in place
	px := l.HandOver(frame)
	if unsafe.SliceData(px) != unsafe.SliceData(bufs.buf) || px[0] != 1 || px[2] != 3 {
		t.Fatalf("a frame read in place: handed over %d bytes (the buffer lent: %v), want the buffer with the frame", len(px), unsafe.SliceData(px) == unsafe.SliceData(bufs.buf))
	}
	bufs.Put(px) // sent and answered
	l.Prepare(&frame)
	if d, _ := frame.DataPtrUint8(); !bufs.out || unsafe.SliceData(d) != unsafe.SliceData(bufs.buf) {
		t.Fatalf("the buffer given back is not lent again for the next read")
	}
	gocv.Resize(src, &frame, image.Pt(32, 24), 0, 0, gocv.InterpolationArea) // a smaller frame: OpenCV reallocates
	if px := l.HandOver(frame); px != nil || bufs.out {
		t.Errorf("a frame read elsewhere: handed over %d bytes, buffer still out %v; want none and given back", len(px), bufs.out)
	}
}

// Package lending reads a video source's frames into buffers it is lent
// (frames.Buffers), so that a frame's bytes leave the reader without a
// copy, and makes sure a buffer handed over with a frame is never
// written again.
package lending

import (
	"unsafe"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/capture/frames"
)

// Lender reads a reader's frames into buffers it is lent. A buffer
// handed over with a frame is never written here again: the Mat over it
// is replaced before the next read. The zero value lends nothing. It
// belongs to the reader's goroutine.
type Lender struct {
	// Buffers lends the buffers; nil lends none.
	Buffers frames.Buffers
	lent    []byte // the buffer the frame Mat is over, until handed over or given back
	given   bool   // the frame Mat is over a buffer handed over
}

// Prepare makes *frame, before a read, a Mat over a lent buffer the
// size of the frame in it now (BGR only): OpenCV reads a frame of that
// size into it in place. A frame Mat over a buffer handed over or given
// back is replaced in any case, so that it is never written again.
func (l *Lender) Prepare(frame *gocv.Mat) {
	if l.Buffers == nil {
		return
	}
	replace := l.given || (l.lent != nil && in(*frame, l.lent))
	l.giveBack()
	next, ok := l.matOver(frame.Rows(), frame.Cols(), frame.Type())
	switch {
	case !ok && !replace:
		return // keep reading into OpenCV's own memory, reused
	case !ok:
		next = gocv.NewMat()
	}
	l.given = false
	// Closing a Mat cannot fail; a Mat over Go memory frees only itself.
	_ = frame.Close()
	*frame = next
}

// matOver is a Mat over a lent buffer for a rows x cols frame of typ;
// false (and no Mat) when such a frame is not lent one.
func (l *Lender) matOver(rows, cols int, typ gocv.MatType) (gocv.Mat, bool) {
	if typ != gocv.MatTypeCV8UC3 || rows <= 0 || cols <= 0 {
		return gocv.Mat{}, false
	}
	buf := l.Buffers.Get(rows * cols * 3)
	m, err := gocv.NewMatFromBytes(rows, cols, typ, buf)
	if err != nil {
		l.Buffers.Put(buf)
		return gocv.Mat{}, false
	}
	l.lent = buf
	return m, true
}

// HandOver is the lent buffer when frame, just read, is in it, handed
// over with the frame; nil otherwise (OpenCV read the frame elsewhere,
// at another size or type, and the buffer goes back).
func (l *Lender) HandOver(frame gocv.Mat) []byte {
	if l.lent == nil {
		return nil
	}
	if !in(frame, l.lent) {
		l.giveBack()
		return nil
	}
	px := l.lent
	l.lent, l.given = nil, true
	return px
}

// in says whether frame's pixels are exactly buf.
func in(frame gocv.Mat, buf []byte) bool {
	if frame.Empty() || !frame.IsContinuous() || frame.Type() != gocv.MatTypeCV8UC3 {
		return false
	}
	px, err := frame.DataPtrUint8()
	return err == nil && len(px) == len(buf) && unsafe.SliceData(px) == unsafe.SliceData(buf)
}

// giveBack returns a buffer lent and not handed over.
func (l *Lender) giveBack() {
	if l.lent != nil {
		l.Buffers.Put(l.lent)
		l.lent = nil
	}
}

// Release gives back what is lent, at Close.
func (l *Lender) Release() {
	if l.Buffers != nil {
		l.giveBack()
	}
}

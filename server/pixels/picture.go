package pixels

import (
	"context"
	"fmt"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/pixels/drawing"
	"github.com/framewire/framewire/server/pixels/videoframe"
)

var (
	_ core.Picture  = (*picture)(nil)
	_ core.Overlaid = (*picture)(nil)
)

// picture owns a decoded frame as 8-bit BGR, for drawing.
type picture struct {
	bgr gocv.Mat
	// pool, when set, runs the drawing and encoding on one of its workers,
	// so that OpenCV's allocations stay on the workers' few threads (C
	// allocators keep memory per thread: from many goroutines' threads the
	// server's memory would grow).
	pool *workerPool
	// overlay is drawn under the boxes: a stream's counting rules.
	overlay core.Overlay
	// video, when set, is given the annotated pixels as I420.
	video func(core.VideoFrame)
}

// newPicture takes img (any channel count), converting it to BGR; img is
// closed by it when it is converted.
func newPicture(img gocv.Mat) (*picture, error) {
	bgr, converted, err := toBGR(img)
	if err != nil {
		img.Close()
		return nil, err
	}
	if converted {
		img.Close()
	}
	return &picture{bgr: bgr}, nil
}

// Annotate draws dets and encodes the JPEG on a worker of the pool, then
// hands its bytes to use on the calling goroutine, so that writing and
// syncing the file never holds a worker (on a real disk a sync takes
// milliseconds the worker can spend on the next frame). The bytes are a
// copy in a buffer the pool reuses, valid only during use (keep a copy to
// hold on). The picture is closed.
func (p *picture) Annotate(dets []core.Detection, quality int, use func(jpeg []byte) error) error {
	if p.pool == nil {
		return p.annotate(dets, quality, use)
	}
	buf := p.pool.jpegs.Get().(*[]byte)
	defer p.pool.jpegs.Put(buf)
	var err error
	keep := func(jpg []byte) error { *buf = append((*buf)[:0], jpg...); return nil }
	if perr := p.pool.do(context.Background(), true, func(*worker) { err = p.annotate(dets, quality, keep) }); perr != nil {
		p.Close()
		return fmt.Errorf("annotate: %w", perr)
	}
	if err != nil {
		return err
	}
	return use(*buf)
}

// annotate is Annotate on the calling goroutine.
func (p *picture) annotate(dets []core.Detection, quality int, use func(jpeg []byte) error) error {
	defer p.Close()
	drawing.DrawOverlay(&p.bgr, p.overlay)
	drawing.Draw(&p.bgr, dets)
	if p.video != nil {
		// A picture with no video frame (a row or column of pixels) is
		// still recorded: the video then reads its JPEG.
		if v, err := videoframe.FromBGR(p.bgr); err == nil {
			p.video(v)
		}
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, p.bgr, []int{gocv.IMWriteJpegQuality, quality})
	if err != nil {
		return fmt.Errorf("encode annotated image: %w", err)
	}
	defer buf.Close()
	return use(buf.GetBytes())
}

// SetOverlay has Annotate draw o under the boxes.
func (p *picture) SetOverlay(o core.Overlay) { p.overlay = o }

// Close frees the picture; again does nothing.
func (p *picture) Close() error {
	if p.bgr.Ptr() == nil {
		return nil
	}
	err := p.bgr.Close()
	p.bgr = gocv.Mat{}
	return err
}

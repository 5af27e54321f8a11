package folder

import (
	"sync"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/store/folder/video"
)

var _ core.VideoOutput = (*output)(nil)

// framePixels holds frames' annotated pixels, by frame number, between
// the worker that drew them and the frame's Append.
type framePixels struct {
	mu    sync.Mutex
	bySeq map[int64]core.VideoFrame
}

// WantsVideoFrames says the stream makes a video.
func (o *output) WantsVideoFrames() bool { return o.video != nil }

// KeepVideoFrame holds frame seq's annotated pixels for the video.
func (o *output) KeepVideoFrame(seq int64, v core.VideoFrame) { o.pixels.keep(seq, v) }

// keep holds v as frame seq's pixels.
func (p *framePixels) keep(seq int64, v core.VideoFrame) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bySeq == nil {
		p.bySeq = map[int64]core.VideoFrame{}
	}
	p.bySeq[seq] = v
}

// attach gives f the pixels held for it (none: the video reads its JPEG)
// and lets them go, with those of earlier frames: frames are appended in
// order, so an earlier frame still held was never recorded (its image
// could not be written, or a newer live frame took its place).
func (p *framePixels) attach(f video.Frame) video.Frame {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.bySeq[f.Seq]; ok {
		f.Pixels, f.Width, f.Height = v.I420, v.Width, v.Height
	}
	for seq := range p.bySeq {
		if seq <= f.Seq {
			delete(p.bySeq, seq)
		}
	}
	return f
}

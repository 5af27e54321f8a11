package folder

import (
	"testing"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/store/folder/video"
)

// Pixels held for frames that were never appended (their image could not
// be written, or a newer live frame took their place) go with the next
// frame appended after them; later frames' stay.
func TestPixelsOfFramesNeverAppendedAreLetGo(t *testing.T) {
	var p framePixels
	for _, seq := range []int64{3, 4, 5, 7} {
		p.keep(seq, core.VideoFrame{I420: make([]byte, 6), Width: 2, Height: 2})
	}
	f := p.attach(video.Frame{Seq: 5})
	if len(f.Pixels) != 6 || f.Width != 2 {
		t.Errorf("frame 5 got %d bytes at width %d, want its 6 at 2", len(f.Pixels), f.Width)
	}
	if len(p.bySeq) != 1 || p.bySeq[7].I420 == nil {
		t.Errorf("held after frame 5's append: %v, want only frame 7's", p.bySeq)
	}
	if f := p.attach(video.Frame{Seq: 6}); f.Pixels != nil {
		t.Errorf("frame 6, never kept, got pixels")
	}
}

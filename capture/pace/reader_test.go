package pace

import (
	"context"
	"testing"
	"time"

	"github.com/framewire/framewire/capture/frames"
)

// liveFrames is a live source whose frames are 1 ms apart, each with
// pixels lent from buffers.
type liveFrames struct {
	at      time.Time
	buffers frames.Buffers
}

func (l *liveFrames) Read(context.Context) (frames.Frame, error) {
	l.at = l.at.Add(time.Millisecond)
	return frames.Frame{At: l.at, Pixels: l.buffers.Get(3)}, nil
}
func (l *liveFrames) SkipTo(int64) error          { return nil }
func (l *liveFrames) Info() frames.Info           { return frames.Info{Live: true} }
func (l *liveFrames) Close() error                { return nil }
func (l *liveFrames) UseBuffers(b frames.Buffers) { l.buffers = b }

// countingBuffers counts buffers given back.
type countingBuffers struct{ back int }

func (c *countingBuffers) Get(n int) []byte { return make([]byte, n) }
func (c *countingBuffers) Put([]byte)       { c.back++ }

// A live frame dropped under the cap gives its lent pixels back.
func TestDroppedLiveFramesGiveTheirPixelsBack(t *testing.T) {
	src := &liveFrames{at: time.Now()}
	p := Wrap(src, 10*time.Millisecond)
	bufs := &countingBuffers{}
	frames.UseBuffers(p, bufs)
	for range 3 {
		if _, err := p.Read(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if src.buffers != bufs || bufs.back < 15 {
		t.Errorf("source lent the buffers %v, %d frames' pixels given back; want true and about 9 of each 10 frames (at least 15 for 3 kept)", src.buffers == bufs, bufs.back)
	}
}

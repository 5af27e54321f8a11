package pace

import (
	"context"
	"time"

	"github.com/framewire/framewire/capture/frames"
)

// Reader is a source of decoded frames kept under a rate cap: a live
// source's frames that come too early are dropped (read and never handed
// on, so never encoded), a finite source's reads wait for their turn.
// Like the Reader it wraps, it belongs to one goroutine.
type Reader struct {
	r     frames.Reader
	live  bool
	pacer Pacer
	timer *time.Timer // reused for a finite source's waits
	// buffers, when set, takes back the pixels of frames dropped here.
	buffers frames.Buffers
}

var _ frames.Reader = (*Reader)(nil)

// Wrap returns r spacing its frames interval apart; 0 lets every frame
// through at once. It takes r over: Close closes it.
func Wrap(r frames.Reader, interval time.Duration) *Reader {
	return &Reader{r: r, live: r.Info().Live, pacer: New(interval)}
}

// Read returns the next frame the schedule lets through. A live source's
// frames are judged by the time they were read; ctx also cancels a
// finite source's wait.
func (p *Reader) Read(ctx context.Context) (frames.Frame, error) {
	if p.live {
		return p.readLive(ctx)
	}
	return p.readFinite(ctx)
}

// readLive reads frames until one may be sent, dropping the rest.
func (p *Reader) readLive(ctx context.Context) (frames.Frame, error) {
	for {
		f, err := p.r.Read(ctx)
		if err != nil {
			return f, err
		}
		if p.pacer.Allow(f.At) {
			p.pacer.Sent(f.At)
			return f, nil
		}
		if p.buffers != nil && f.Pixels != nil {
			p.buffers.Put(f.Pixels)
		}
		if err := ctx.Err(); err != nil {
			return frames.Frame{}, err
		}
	}
}

// readFinite waits for the schedule, then reads one frame.
func (p *Reader) readFinite(ctx context.Context) (frames.Frame, error) {
	if err := Sleep(ctx, &p.timer, p.pacer.Wait(time.Now())); err != nil {
		return frames.Frame{}, err
	}
	f, err := p.r.Read(ctx)
	if err == nil {
		p.pacer.Sent(time.Now())
	}
	return f, err
}

// UseBuffers lends the Reader it wraps b (frames.BufferUser); the
// pixels of a live frame dropped here go back to b.
func (p *Reader) UseBuffers(b frames.Buffers) {
	p.buffers = b
	frames.UseBuffers(p.r, b)
}

// SkipTo skips on the source it wraps; skipped frames take no turn.
func (p *Reader) SkipTo(seq int64) error { return p.r.SkipTo(seq) }

// Info describes the source it wraps.
func (p *Reader) Info() frames.Info { return p.r.Info() }

// Close closes the source it wraps.
func (p *Reader) Close() error {
	if p.timer != nil {
		p.timer.Stop()
	}
	return p.r.Close()
}

// Package reconnect keeps a live capture source going: a decorator around
// a reader of decoded frames (frames.Reader) that reopens it, with
// backoff, when it ends, fails or stalls.
package reconnect

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/framewire/framewire/capture/frames"
	"github.com/framewire/framewire/internal/backoff"
	"github.com/framewire/framewire/internal/redact"
)

// DefaultStall is how long a live source may give no frame before it
// counts as lost, when Config.Stall is not set.
const DefaultStall = 5 * time.Second

// maxAbandoned bounds the sources left behind in a read that does not
// return; while that many are stuck, reopening waits for one to end.
const maxAbandoned = 3

// errStalled marks a source that gave no frame within the stall deadline.
var errStalled = errors.New("source stalled")

// Opener opens the source again.
type Opener func() (frames.Reader, error)

// Config says how a Reader watches and reopens a
// live source.
type Config struct {
	// Stall is the longest one frame may take before the source counts as
	// lost (ended, failed or frozen); 0 means DefaultStall. Opening it
	// again may take twice as long. With a frame rate cap, add its
	// interval.
	Stall time.Duration
	// Backoff bounds the wait before each reopening attempt; unset bounds
	// wait 100 ms, doubling up to 2 s (reopening a camera costs little,
	// so the cap is short, to catch it soon after it is back).
	Backoff backoff.Policy
	// MaxAttempts is how many reopening attempts in a row may fail before
	// Read gives up with the error of the last; 0 never gives up.
	MaxAttempts int
	// OnLost, if set, is told before each reopening attempt its number
	// (1-based, counting from the loss), the wait before it, and why the
	// source was lost or the previous attempt failed.
	OnLost func(attempt int, wait time.Duration, err error)
	// OnBack, if set, is told when the source gives a frame again after
	// being lost, with the time from the last frame before to this one.
	OnBack func(outage time.Duration)
}

// Reader is a live source of decoded frames that outlives the loss of
// its device or stream: a decorator around the reader it is given. A read
// that fails, ends or gives no frame within the stall deadline makes the
// source lost; Read then opens it again with capped exponential backoff, forever or up
// to MaxAttempts, and goes on with its frames. Sequence numbers keep
// growing across a reconnection: the first frame after it follows the
// last one before. The sources are read in goroutines of their own (see
// guarded), so a read stuck inside OpenCV is abandoned, never interrupted
// or closed under its feet. A frame's Image is the source's, valid until
// the next Read, as frames.Reader says: the source's goroutine reads
// again only when asked to by the next Read. Read, SkipTo and Close are
// called from one goroutine; Info from any.
type Reader struct {
	open  Opener
	first frames.Reader // the source first opened, until the first Read (UseBuffers)
	cfg   Config
	info  frames.Info
	name  string
	slots chan struct{} // one per source alive: the one read and those abandoned

	cur      *guarded  // the source read now; nil while lost
	base     int64     // added to the current source's sequence numbers
	next     int64     // sequence number of the next frame
	last     time.Time // when the last frame was read
	lostErr  error     // why the source was lost, while it is
	attempts int       // reopening attempts since it was lost
}

var _ frames.Reader = (*Reader)(nil)

// New watches first, an opened live source, and reopens it
// with open when it is lost. It takes first over: Close closes it.
func New(first frames.Reader, open Opener, cfg Config) *Reader {
	if cfg.Stall <= 0 {
		cfg.Stall = DefaultStall
	}
	if cfg.Backoff.Max <= 0 {
		cfg.Backoff.Max = 2 * time.Second
	}
	r := &Reader{
		open: open, first: first, cfg: cfg, info: first.Info(),
		name:  fmt.Sprintf("%s %q", first.Info().Kind, redact.Source(first.Info().Source)),
		slots: make(chan struct{}, maxAbandoned+1),
		last:  time.Now(),
	}
	r.slots <- struct{}{}
	r.cur = startGuarded(func() (frames.Reader, error) { return first, nil }, r.slots)
	return r
}

// UseBuffers lends b to the source first opened and to each one opened
// again (frames.BufferUser). Call it before the first Read.
func (r *Reader) UseBuffers(b frames.Buffers) {
	if r.first != nil {
		frames.UseBuffers(r.first, b)
	}
	open := r.open
	r.open = func() (frames.Reader, error) {
		src, err := open()
		if err == nil {
			frames.UseBuffers(src, b)
		}
		return src, err
	}
}

// Info describes the source as it was first opened.
func (r *Reader) Info() frames.Info { return r.info }

// Read returns the next frame, reconnecting first when the source was
// lost. It returns an error only when ctx ends, the reopening attempts
// run out (wrapping the last one's error) or the source is closed.
func (r *Reader) Read(ctx context.Context) (frames.Frame, error) {
	r.first = nil
	for {
		if r.cur == nil {
			if err := r.reconnect(ctx); err != nil {
				return frames.Frame{}, err
			}
		}
		f, err := r.cur.read(ctx, r.cfg.Stall)
		if err == nil {
			return r.renumber(f), nil
		}
		if ctx.Err() != nil {
			return frames.Frame{}, ctx.Err()
		}
		if errors.Is(err, errStalled) {
			err = fmt.Errorf("read %s: %w", r.name, err)
		}
		r.lose(err)
	}
}

// renumber gives f the next sequence number of the whole stream and
// tells OnBack when f is the first frame after a reconnection.
func (r *Reader) renumber(f frames.Frame) frames.Frame {
	if r.attempts > 0 && r.cfg.OnBack != nil {
		r.cfg.OnBack(time.Since(r.last))
	}
	r.attempts, r.lostErr = 0, nil
	f.Seq += r.base
	r.next = f.Seq + 1
	r.last = time.Now()
	return f
}

// lose abandons the current source, lost because of err.
func (r *Reader) lose(err error) {
	r.cur.abandon()
	r.cur, r.lostErr = nil, err
}

// reconnect opens the source again, waiting the backoff before each
// attempt, until one works, the attempts run out or ctx ends.
func (r *Reader) reconnect(ctx context.Context) error {
	if r.lostErr == nil {
		return fmt.Errorf("next frame of %s: source is closed", r.name)
	}
	for {
		if r.cfg.MaxAttempts > 0 && r.attempts >= r.cfg.MaxAttempts {
			return fmt.Errorf("reconnect %s: gave up after %d attempts: %w", r.name, r.attempts, r.lostErr)
		}
		r.attempts++
		wait := r.cfg.Backoff.Wait(r.attempts)
		if r.cfg.OnLost != nil {
			r.cfg.OnLost(r.attempts, wait, r.lostErr)
		}
		if err := backoff.Sleep(ctx, wait); err != nil {
			return err
		}
		if err := r.reopen(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.lostErr = err
			continue
		}
		return nil
	}
}

// reopen starts a new source and waits for it to open, within twice the
// stall deadline. Its frames follow those read so far.
func (r *Reader) reopen(ctx context.Context) error {
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	g := startGuarded(r.open, r.slots)
	if err := g.waitOpen(ctx, 2*r.cfg.Stall); err != nil {
		if errors.Is(err, errStalled) {
			err = fmt.Errorf("reopen %s: %w", r.name, err)
		}
		return err
	}
	r.cur, r.base = g, r.next
	return nil
}

// SkipTo fails: a live source cannot skip.
func (r *Reader) SkipTo(seq int64) error {
	return fmt.Errorf("skip to frame %d of %s: cannot skip on a live source", seq, r.name)
}

// Close closes the source, waiting up to the stall deadline for a read in
// progress. A source abandoned in a stuck read is closed by its own
// goroutine when the read returns. Close is safe to call more than once.
func (r *Reader) Close() error {
	cur := r.cur
	r.cur, r.lostErr = nil, nil
	if cur == nil {
		return nil
	}
	if err := cur.close(r.cfg.Stall); err != nil {
		return fmt.Errorf("close %s: %w", r.name, err)
	}
	return nil
}

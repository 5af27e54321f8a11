package reconnect

import (
	"context"
	"fmt"
	"time"

	"github.com/framewire/framewire/capture/frames"
)

// guarded runs one source in a goroutine of its own, which opens it, reads
// it when asked and closes it. A read stuck inside OpenCV cannot be
// interrupted, so a stalled source is abandoned instead: its goroutine
// closes it once the read returns, and nothing else ever touches the
// source or its Mats.
type guarded struct {
	reqs    chan struct{}      // capacity 1: a read asked for
	out     chan readResult    // capacity 1: at most one read is outstanding
	opened  chan error         // capacity 1: the outcome of opening
	abandon context.CancelFunc // ends the reads' context: the goroutine closes the source as soon as it is not reading; it does not wait
	closed  chan error         // capacity 1: the source's Close, once the goroutine ends
	pending bool               // a read was asked for and its result not taken
}

// readResult is the outcome of one read.
type readResult struct {
	f   frames.Frame
	err error
}

// startGuarded opens a source with open in a new goroutine, which reads
// it on request until abandoned and releases its slot when it ends. The reads run under a
// context of their own, which ends when the source is abandoned, not when
// a caller of read gives up waiting: that read's frame goes to the next
// caller.
func startGuarded(open Opener, slots <-chan struct{}) *guarded {
	ctx, abandon := context.WithCancel(context.Background())
	g := &guarded{
		reqs: make(chan struct{}, 1), out: make(chan readResult, 1),
		opened: make(chan error, 1), abandon: abandon, closed: make(chan error, 1),
	}
	go func() {
		defer func() { <-slots }()
		src, err := open()
		g.opened <- err
		if err != nil {
			close(g.closed)
			return
		}
		g.serve(ctx, src)
		g.closed <- src.Close()
	}()
	return g
}

// serve reads src on request until the source is abandoned (ctx ends).
func (g *guarded) serve(ctx context.Context, src frames.Reader) {
	for {
		select {
		case <-g.reqs:
			f, err := src.Read(ctx)
			g.out <- readResult{f, err}
		case <-ctx.Done():
			return
		}
	}
}

// waitOpen waits up to timeout for the source to open (with its first
// frame read); on failure the source is abandoned.
func (g *guarded) waitOpen(ctx context.Context, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	var err error
	select {
	case err = <-g.opened:
	case <-t.C:
		err = fmt.Errorf("open: no first frame within %v: %w", timeout, errStalled)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		g.abandon()
	}
	return err
}

// read reads one frame, giving up after stall: the source is then stalled
// and must be abandoned. When ctx ends first, the read goes on and the
// next call takes its result.
func (g *guarded) read(ctx context.Context, stall time.Duration) (frames.Frame, error) {
	if err := ctx.Err(); err != nil {
		return frames.Frame{}, err
	}
	if !g.pending {
		g.reqs <- struct{}{} // never blocks: no read is outstanding
		g.pending = true
	}
	t := time.NewTimer(stall)
	defer t.Stop()
	select {
	case r := <-g.out:
		g.pending = false
		return r.f, r.err
	case <-t.C:
		return frames.Frame{}, fmt.Errorf("no frame for %v: %w", stall, errStalled)
	case <-ctx.Done():
		return frames.Frame{}, ctx.Err()
	}
}

// close abandons the source and waits up to timeout for it to be closed;
// an error when its Close failed or a read is still stuck.
func (g *guarded) close(timeout time.Duration) error {
	g.abandon()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-g.closed:
		return err
	case <-t.C:
		return fmt.Errorf("a read is still stuck after %v: the source is closed when it returns", timeout)
	}
}

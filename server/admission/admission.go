// Package admission hands out a fixed number of stream slots first come,
// first served, with a bounded queue of streams waiting for one. It knows
// nothing of gRPC: the service tells the clients.
package admission

import (
	"context"
	"errors"
	"slices"
	"sync"
)

// Queue hands out a fixed number of stream slots first come, first
// served. Streams that find every slot taken wait in a FIFO queue of at
// most maxQueued; one more is refused. Safe for concurrent use.
type Queue struct {
	maxQueued int

	mu      sync.Mutex
	free    int       // slots nobody holds
	waiting []*waiter // in arrival order; the first gets the next free slot
}

// waiter is one stream in the queue.
type waiter struct {
	granted chan struct{} // closed when the waiter holds a slot
	moved   chan struct{} // signalled (one buffered) when the queue ahead shrank
}

// ErrFull refuses a stream when the queue is full.
var ErrFull = errors.New("stream queue full")

// ErrDraining ends the wait of a queued stream when the server drains.
var ErrDraining = errors.New("server is shutting down")

// New returns a Queue of slots slots with room for maxQueued waiting
// streams.
func New(slots, maxQueued int) *Queue {
	return &Queue{free: slots, maxQueued: max(maxQueued, 0)}
}

// Watch is told about one stream's wait in the queue.
type Watch struct {
	// Entered is called once, under the queue's lock (so in arrival
	// order), when the stream joins the queue. It must return quickly.
	Entered func(position int)
	// Moved is called with each new position (1 = next), the first one
	// included; an error ends the wait.
	Moved func(position int) error
}

// Acquire takes a slot, waiting in the queue when none is free and
// telling qw. It returns ErrFull, ErrDraining when drain closes, or
// ctx's error; without an error the caller holds a slot and must Release
// it.
func (a *Queue) Acquire(ctx context.Context, drain <-chan struct{}, qw Watch) error {
	w, err := a.enter(qw.Entered)
	if err != nil || w == nil {
		return err
	}
	if err := a.wait(ctx, drain, w, qw.Moved); err != nil {
		a.leave(w)
		return err
	}
	return nil
}

// enter takes a free slot (nil waiter) or a place at the back of the
// queue, telling entered.
func (a *Queue) enter(entered func(position int)) (*waiter, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.free > 0 && len(a.waiting) == 0 {
		a.free--
		return nil, nil
	}
	if len(a.waiting) >= a.maxQueued {
		return nil, ErrFull
	}
	w := &waiter{granted: make(chan struct{}), moved: make(chan struct{}, 1)}
	a.waiting = append(a.waiting, w)
	entered(len(a.waiting))
	return w, nil
}

// wait blocks until w holds a slot, telling queued each new position.
func (a *Queue) wait(ctx context.Context, drain <-chan struct{}, w *waiter, queued func(int) error) error {
	told := 0
	for {
		if pos := a.position(w); pos > 0 && pos != told {
			if err := queued(pos); err != nil {
				return err
			}
			told = pos
		}
		select {
		case <-w.granted:
			return nil
		case <-w.moved:
		case <-drain:
			return ErrDraining
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// position is w's place in the queue, 1-based; 0 when it left the queue
// (it holds a slot).
func (a *Queue) position(w *waiter) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Index(a.waiting, w) + 1
}

// leave takes w out of the queue after its wait failed; a slot it was
// granted meanwhile goes to the next in line.
func (a *Queue) leave(w *waiter) {
	a.mu.Lock()
	i := slices.Index(a.waiting, w)
	if i >= 0 {
		a.waiting = slices.Delete(a.waiting, i, i+1)
		a.tellMoved(i)
	}
	a.mu.Unlock()
	if i < 0 {
		a.Release() // granted while it gave up
	}
}

// Release frees a slot: the first waiting stream gets it, else it is free.
func (a *Queue) Release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.waiting) == 0 {
		a.free++
		return
	}
	first := a.waiting[0]
	a.waiting = slices.Delete(a.waiting, 0, 1)
	close(first.granted)
	a.tellMoved(0)
}

// tellMoved signals every waiter from index i on that it moved up. The
// caller holds mu.
func (a *Queue) tellMoved(i int) {
	for _, w := range a.waiting[i:] {
		select {
		case w.moved <- struct{}{}:
		default: // already signalled; it reads its position afresh
		}
	}
}

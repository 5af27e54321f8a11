package folder

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/framewire/framewire/server/core"
)

// owners gives each stream name to one call at a time, in this process
// and, through a lease file under root, among every server sharing root.
// A call of the same run (a client reconnecting while its old call still
// looks alive, as on a half-open connection) takes the name over: on this
// server the old call is evicted and the new one waits until it has
// recorded what it took and let go; on another server the new call is told
// to retry (errHeldElsewhere) until the old one ends.
type owners struct {
	root   *os.Root
	mu     sync.Mutex
	active map[string]*owner
}

// owner is one call's hold on a name.
type owner struct {
	name     string
	runID    string
	evicted  chan struct{} // closed to ask the holder to end
	released chan struct{} // closed when the holder let go
	once     sync.Once
	lease    *lease
}

func newOwners(root *os.Root) *owners {
	return &owners{root: root, active: map[string]*owner{}}
}

// acquire holds name for the call of run runID. It fails with
// core.ErrNameInUse while a call of another run holds the name; a call of the
// same run is evicted and awaited (until ctx ends).
func (o *owners) acquire(ctx context.Context, name, runID string) (*owner, error) {
	for {
		held, err := o.tryAcquire(name, runID)
		if err != nil {
			return nil, err
		}
		if held != nil {
			return o.withLease(held)
		}
		if err := o.evict(ctx, name); err != nil {
			return nil, err
		}
	}
}

// withLease takes w's lease among the servers sharing root.
func (o *owners) withLease(w *owner) (*owner, error) {
	l, err := acquireLease(o.root, w.name, w.runID)
	if err != nil {
		o.release(w)
		return nil, err
	}
	w.lease = l
	return w, nil
}

// tryAcquire holds name if it is free; (nil, nil) means a call of the
// same run holds it.
func (o *owners) tryAcquire(name, runID string) (*owner, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	cur := o.active[name]
	if cur == nil {
		w := &owner{name: name, runID: runID, evicted: make(chan struct{}), released: make(chan struct{})}
		o.active[name] = w
		return w, nil
	}
	if runID == "" || cur.runID != runID {
		return nil, fmt.Errorf("stream %q is being written by another client's call: %w", name, core.ErrNameInUse)
	}
	return nil, nil
}

// evict asks the holder of name to end and waits until it let go.
func (o *owners) evict(ctx context.Context, name string) error {
	o.mu.Lock()
	cur := o.active[name]
	o.mu.Unlock()
	if cur == nil {
		return nil
	}
	cur.once.Do(func() { close(cur.evicted) })
	select {
	case <-cur.released:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the earlier call of stream %q to end: %w", name, ctx.Err())
	}
}

// release lets go of w's name.
func (o *owners) release(w *owner) {
	w.lease.release()
	o.mu.Lock()
	if o.active[w.name] == w {
		delete(o.active, w.name)
	}
	o.mu.Unlock()
	close(w.released)
}

// Package mailbox is the one-slot buffer between a live source and the
// network: the newest unsent frame wins.
package mailbox

import (
	"context"
	"sync"

	pb "github.com/framewire/framewire/proto"
)

// Mailbox holds at most one frame: the newest unsent one. Putting a frame
// into a full mailbox replaces the old one and counts a drop, so a live
// source never waits for the network and never builds a backlog. Each
// frame taken carries, in DroppedBefore, the drops since the previous one
// taken, so that the server can count them too. Safe for one putter and
// one taker at a time.
type Mailbox struct {
	mu      sync.Mutex
	frame   *pb.Frame
	closed  bool
	dropped int64
	taken   int64         // dropped when the last frame was taken
	notify  chan struct{} // has a token while there is something to take
}

// New returns an empty, open Mailbox.
func New() *Mailbox {
	return &Mailbox{notify: make(chan struct{}, 1)}
}

// Put stores f, replacing (and counting as dropped) any unsent frame,
// which it returns: nothing else holds it, so its bytes may be reused.
func (m *Mailbox) Put(f *pb.Frame) (replaced *pb.Frame) {
	m.mu.Lock()
	if m.frame != nil {
		m.dropped++
	}
	replaced, m.frame = m.frame, f
	m.mu.Unlock()
	m.signal()
	return replaced
}

// Close says no more frames will come; Take returns what is left, then nil.
func (m *Mailbox) Close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.signal()
}

// signal wakes a waiting Take, or leaves a token for the next one.
func (m *Mailbox) signal() {
	select {
	case m.notify <- struct{}{}:
	default:
	}
}

// Take waits for a frame and stamps its DroppedBefore. It returns nil when
// the mailbox is closed and empty, or when ctx ends.
func (m *Mailbox) Take(ctx context.Context) *pb.Frame {
	for {
		f, closed := m.empty()
		if f != nil {
			return f
		}
		if closed {
			return nil
		}
		select {
		case <-m.notify:
		case <-ctx.Done():
			return nil
		}
	}
}

// empty takes the frame out, if there is one, stamping its DroppedBefore,
// and says whether the mailbox is closed.
func (m *Mailbox) empty() (f *pb.Frame, closed bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, m.frame = m.frame, nil
	if f != nil {
		f.DroppedBefore = m.dropped - m.taken
		m.taken = m.dropped
	}
	return f, m.closed
}

// Drops returns how many frames were replaced before they were sent.
func (m *Mailbox) Drops() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dropped
}

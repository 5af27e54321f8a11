package stream

import (
	"context"
	"sync"

	pb "github.com/framewire/framewire/proto"
)

// mailbox holds at most one frame: the newest unsent one. Putting a frame
// into a full mailbox replaces the old one and counts a drop, so a live
// source never waits for the network and never builds a backlog. Each
// frame taken carries, in DroppedBefore, the drops since the previous one
// taken, so that the server can count them too. Safe for one putter and
// one taker at a time.
type mailbox struct {
	mu      sync.Mutex
	frame   *pb.Frame
	closed  bool
	dropped int64
	taken   int64         // dropped when the last frame was taken
	notify  chan struct{} // has a token while there is something to take
}

func newMailbox() *mailbox {
	return &mailbox{notify: make(chan struct{}, 1)}
}

// put stores f, replacing (and counting as dropped) any unsent frame.
func (m *mailbox) put(f *pb.Frame) {
	m.mu.Lock()
	if m.frame != nil {
		m.dropped++
	}
	m.frame = f
	m.mu.Unlock()
	m.signal()
}

// close says no more frames will come; take returns what is left, then nil.
func (m *mailbox) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.signal()
}

func (m *mailbox) signal() {
	select {
	case m.notify <- struct{}{}:
	default:
	}
}

// take waits for a frame and stamps its DroppedBefore. It returns nil when
// the mailbox is closed and empty, or when ctx ends.
func (m *mailbox) take(ctx context.Context) *pb.Frame {
	for {
		m.mu.Lock()
		f, closed := m.frame, m.closed
		m.frame = nil
		if f != nil {
			f.DroppedBefore = m.dropped - m.taken
			m.taken = m.dropped
		}
		m.mu.Unlock()
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

// drops returns how many frames were replaced before they were sent.
func (m *mailbox) drops() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dropped
}

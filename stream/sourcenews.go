package stream

import (
	"context"
	"sync"
	"time"

	pb "github.com/framewire/framewire/proto"
)

// SourceNews carries news of a live source between frames, from the
// goroutine that reads the source to the stream: the source is lost and
// being opened again, or it is back. Run sends the news to a server that
// takes it (StreamReady.source_status), at once and not in the way of
// frames, and counts the outages in its Summary. Make it with
// NewSourceNews and give it to ClientConfig.SourceNews. Safe for
// concurrent use.
type SourceNews struct {
	mu sync.Mutex
	// next is the status to send: the latest state, with the outages
	// that ended since the last status sent; fresh says it is unsent.
	next  pb.SourceStatus
	fresh bool
	// Outages that ended over the whole run.
	reconnects int64
	outage     time.Duration

	notify chan struct{} // has a token while there is news to send
}

// NewSourceNews returns news of a source that is live.
func NewSourceNews() *SourceNews {
	return &SourceNews{notify: make(chan struct{}, 1)}
}

// Reconnecting says the source is lost and reopening attempt number
// attempt (1-based) is next; reason says why (it must hold no secrets).
func (n *SourceNews) Reconnecting(attempt int, reason string) {
	n.mu.Lock()
	n.next.State = pb.SourceState_SOURCE_RECONNECTING
	n.next.Attempt, n.next.Reason = int32(attempt), reason
	n.fresh = true
	n.mu.Unlock()
	n.signal()
}

// Back says the source gives frames again after an outage of d, from its
// last frame before to its first frame after.
func (n *SourceNews) Back(d time.Duration) {
	n.mu.Lock()
	n.next.State, n.next.Attempt, n.next.Reason = pb.SourceState_SOURCE_LIVE, 0, ""
	n.next.Reconnects++
	n.next.OutageUs += d.Microseconds()
	n.reconnects++
	n.outage += d
	n.fresh = true
	n.mu.Unlock()
	n.signal()
}

// signal wakes the sender of the news, or leaves a token for it.
func (n *SourceNews) signal() {
	select {
	case n.notify <- struct{}{}:
	default:
	}
}

// take returns the news to send and forgets the outages it reports; nil
// when there is none.
func (n *SourceNews) take() *pb.SourceStatus {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.fresh {
		return nil
	}
	st := &pb.SourceStatus{State: n.next.State, Attempt: n.next.Attempt, Reason: n.next.Reason,
		Reconnects: n.next.Reconnects, OutageUs: n.next.OutageUs}
	n.next.Reconnects, n.next.OutageUs, n.fresh = 0, 0, false
	return st
}

// unsent takes back st, which could not be sent: its outages go with the
// next news.
func (n *SourceNews) unsent(st *pb.SourceStatus) {
	n.mu.Lock()
	n.next.Reconnects += st.GetReconnects()
	n.next.OutageUs += st.GetOutageUs()
	n.fresh = true
	n.mu.Unlock()
}

// newCall makes the state news again for a new call when the source is
// lost, since that call's server does not know.
func (n *SourceNews) newCall() {
	n.mu.Lock()
	if n.next.State == pb.SourceState_SOURCE_RECONNECTING {
		n.fresh = true
	}
	n.mu.Unlock()
}

// totals are the outages that ended over the whole run and their time.
func (n *SourceNews) totals() (int64, time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.reconnects, n.outage
}

// sendAll sends the news over cs as it comes, until ctx ends or a send
// fails.
func (n *SourceNews) sendAll(ctx context.Context, cs *callSender) {
	n.newCall()
	for {
		if st := n.take(); st != nil {
			if err := cs.send(&pb.StreamRequest{Msg: &pb.StreamRequest_SourceStatus{SourceStatus: st}}); err != nil {
				n.unsent(st)
				return
			}
			continue
		}
		select {
		case <-n.notify:
		case <-ctx.Done():
			return
		}
	}
}

// callSender serialises the sends of one call, which come from the frame
// sender and the news sender, and refuses them once the call is
// half-closed.
type callSender struct {
	mu     sync.Mutex
	call   pb.ImageProcedure_StreamFramesClient
	closed bool
}

// send sends msg, unless the call is half-closed.
func (cs *callSender) send(msg *pb.StreamRequest) error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.closed {
		return errHalfClosed
	}
	return cs.call.Send(msg)
}

// closeSend half-closes the call.
func (cs *callSender) closeSend() error {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.closed = true
	return cs.call.CloseSend()
}

// Package sourcenews carries news of a client's live source between
// frames to the server, beside the frames of the call: the source is lost
// and being opened again, or it is back (SourceStatus).
package sourcenews

import (
	"context"
	"errors"
	"sync"
	"time"

	pb "github.com/framewire/framewire/proto"
)

// News is the news of one live source over a run, from the goroutine that
// reads the source to the calls of the stream. Make it with New. Safe for
// concurrent use.
type News struct {
	mu sync.Mutex
	// next is the status to send: the latest state, with the outages
	// that ended since the last status sent; fresh says it is unsent.
	next  *pb.SourceStatus
	fresh bool
	// Outages that ended over the whole run.
	reconnects int64
	outage     time.Duration

	notify chan struct{} // has a token while there is news to send
}

// New returns the news of a source that is live.
func New() *News {
	return &News{next: &pb.SourceStatus{}, notify: make(chan struct{}, 1)}
}

// Reconnecting says the source is lost and reopening attempt number
// attempt (1-based) is next; reason says why (it must hold no secrets).
func (n *News) Reconnecting(attempt int, reason string) {
	n.mu.Lock()
	n.next.State = pb.SourceState_SOURCE_RECONNECTING
	n.next.Attempt, n.next.Reason = int32(attempt), reason
	n.fresh = true
	n.mu.Unlock()
	n.signal()
}

// Back says the source gives frames again after an outage of d, from its
// last frame before to its first frame after.
func (n *News) Back(d time.Duration) {
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
func (n *News) signal() {
	select {
	case n.notify <- struct{}{}:
	default:
	}
}

// Totals are the outages that ended over the whole run and their time.
func (n *News) Totals() (reconnects int64, outage time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.reconnects, n.outage
}

// take returns the news to send and forgets the outages it reports; nil
// when there is none.
func (n *News) take() *pb.SourceStatus {
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
func (n *News) unsent(st *pb.SourceStatus) {
	n.mu.Lock()
	n.next.Reconnects += st.GetReconnects()
	n.next.OutageUs += st.GetOutageUs()
	n.fresh = true
	n.mu.Unlock()
}

// newCall makes the state news again for a new call when the source is
// lost, since that call's server does not know.
func (n *News) newCall() {
	n.mu.Lock()
	if n.next.State == pb.SourceState_SOURCE_RECONNECTING {
		n.fresh = true
	}
	n.mu.Unlock()
}

// Attach sends the news on call, as it comes, until ctx ends or a send
// fails, from a goroutine of its own; done is closed when that ends. The
// frames must then be sent through the returned call, which takes turns
// with the news and refuses sends after CloseSend. With a nil News, call
// is returned as it is and done closed.
func (n *News) Attach(ctx context.Context, call pb.ImageProcedure_StreamFramesClient) (_ pb.ImageProcedure_StreamFramesClient, done <-chan struct{}) {
	ch := make(chan struct{})
	if n == nil {
		close(ch)
		return call, ch
	}
	shared := &sharedCall{ImageProcedure_StreamFramesClient: call}
	go func() {
		defer close(ch)
		n.sendAll(ctx, shared)
	}()
	return shared, ch
}

// sendAll sends the news over call as it comes, until ctx ends or a send
// fails.
func (n *News) sendAll(ctx context.Context, call *sharedCall) {
	n.newCall()
	for {
		if st := n.take(); st != nil {
			if err := call.Send(&pb.StreamRequest{Msg: &pb.StreamRequest_SourceStatus{SourceStatus: st}}); err != nil {
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

// sharedCall is a call whose sends come from two goroutines, the frames'
// and the news': it takes them in turn and refuses them once the call is
// half-closed.
type sharedCall struct {
	pb.ImageProcedure_StreamFramesClient
	mu     sync.Mutex
	closed bool
}

// errHalfClosed is the error of a send after the call was half-closed.
var errHalfClosed = errors.New("stream already half-closed")

func (c *sharedCall) Send(msg *pb.StreamRequest) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errHalfClosed
	}
	return c.ImageProcedure_StreamFramesClient.Send(msg)
}

func (c *sharedCall) CloseSend() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return c.ImageProcedure_StreamFramesClient.CloseSend()
}

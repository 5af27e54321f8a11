package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
)

// queuedCall is one StreamFrames call that sent its header.
type queuedCall struct {
	t      *testing.T
	call   pb.ImageProcedure_StreamFramesClient
	cancel context.CancelFunc
}

// openCall starts a call and sends the header of the stream name, asking
// for queue updates or not.
func openCall(t *testing.T, rpc pb.ImageProcedureClient, name string, updates bool) *queuedCall {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	call, err := rpc.StreamFrames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hdr := &pb.StreamHeader{Name: name, QueueUpdates: updates}
	if err := call.Send(&pb.StreamRequest{Msg: &pb.StreamRequest_Header{Header: hdr}}); err != nil {
		t.Fatal(err)
	}
	return &queuedCall{t: t, call: call, cancel: cancel}
}

// next is the call's next message; it fails the test on an error.
func (c *queuedCall) next() *pb.StreamResponse {
	c.t.Helper()
	msg, err := c.call.Recv()
	if err != nil {
		c.t.Fatalf("receive: %v", err)
	}
	return msg
}

// wantQueued fails the test unless the next message is StreamQueued at
// position.
func (c *queuedCall) wantQueued(position int32) {
	c.t.Helper()
	if q := c.next().GetQueued(); q.GetPosition() != position || q.GetMaxStreams() != 1 {
		c.t.Fatalf("got queued %v, want position %d of a server running 1 stream", q, position)
	}
}

// enqueue opens a call for name and waits until it is queued at position.
func enqueue(t *testing.T, rpc pb.ImageProcedureClient, name string, position int32) *queuedCall {
	t.Helper()
	c := openCall(t, rpc, name, true)
	c.wantQueued(position)
	return c
}

// wantReady fails the test unless the next message is ready.
func (c *queuedCall) wantReady() {
	c.t.Helper()
	if msg := c.next(); msg.GetReady() == nil {
		c.t.Fatalf("got %v, want ready", msg)
	}
}

// finish half-closes the call and reads it to its end.
func (c *queuedCall) finish() {
	c.t.Helper()
	if err := c.call.CloseSend(); err != nil {
		c.t.Fatal(err)
	}
	for {
		if _, err := c.call.Recv(); err != nil {
			return
		}
	}
}

// Streams over the limit wait in arrival order, told their place as it
// changes; a stream that gives up leaves its place to the next; a stream
// over the queue's bound is refused with a hint when to try again.
func TestQueuedStreamsStartInArrivalOrder(t *testing.T) {
	m := serve(t, t.TempDir(), Config{MaxStreams: 1, MaxQueued: 3})
	running := openCall(t, m.rpc, "running", true)
	running.wantReady()
	// Each is in the queue before the next one comes.
	a, b, c := enqueue(t, m.rpc, "a", 1), enqueue(t, m.rpc, "b", 2), enqueue(t, m.rpc, "c", 3)
	refused := openCall(t, m.rpc, "refused", true)
	_, err := refused.call.Recv()
	if d, ok := retryDelayOf(err); status.Code(err) != codes.ResourceExhausted || !ok || d <= 0 {
		t.Errorf("a stream over the queue's bound ended with %v (retry in %v), want ResourceExhausted with a delay", err, d)
	}
	b.cancel() // gives up its place
	c.wantQueued(2)
	running.finish()
	a.wantReady()
	c.wantQueued(1)
	a.finish()
	c.wantReady()
}

// retryDelayOf is the RetryInfo delay of err's status.
func retryDelayOf(err error) (time.Duration, bool) {
	for _, d := range status.Convert(err).Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri.GetRetryDelay().AsDuration(), true
		}
	}
	return 0, false
}

// A client that does not ask for queue updates (an older client) waits
// without them: the first message it gets is ready.
func TestOlderClientWaitsForReadyWithoutQueueMessages(t *testing.T) {
	m := serve(t, t.TempDir(), Config{MaxStreams: 1, MaxQueued: 1})
	running := openCall(t, m.rpc, "running", false)
	running.wantReady()
	older := openCall(t, m.rpc, "older", false)
	waitFor(t, func() bool { return strings.Contains(m.log.String(), `msg="stream queued" stream=older`) })
	running.finish()
	older.wantReady()
}

// waitFor polls cond until it holds, and fails t after 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A drain ends the waiting streams with Unavailable, so that their
// clients come back to this server or another one later.
func TestDrainEndsTheWaitingStreams(t *testing.T) {
	m := serve(t, t.TempDir(), Config{MaxStreams: 1, MaxQueued: 2})
	running := openCall(t, m.rpc, "running", true)
	running.wantReady()
	waiting := openCall(t, m.rpc, "waiting", true)
	waiting.wantQueued(1)
	m.svc.Drain()
	if _, err := waiting.call.Recv(); status.Code(err) != codes.Unavailable {
		t.Errorf("a waiting stream ended with %v at a drain, want Unavailable", err)
	}
}

package admission

import (
	"context"
	"errors"
	"testing"
	"time"
)

// quiet is a Watch that tells nobody.
func quiet() Watch {
	return Watch{Entered: func(int) {}, Moved: func(int) error { return nil }}
}

// acquireAsync acquires a slot of q in a goroutine of its own, with a
// Watch whose Entered closes entered; the result comes on the channel.
func acquireAsync(ctx context.Context, q *Queue, drain <-chan struct{}, entered chan<- struct{}) <-chan error {
	got := make(chan error, 1)
	w := Watch{Entered: func(int) { close(entered) }, Moved: func(int) error { return nil }}
	go func() { got <- q.Acquire(ctx, drain, w) }()
	return got
}

// wantQueued fails t unless a stream that comes now must wait: every slot
// is held. It leaves the queue as it was.
func wantQueued(t *testing.T, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	entered := make(chan struct{})
	got := acquireAsync(ctx, q, nil, entered)
	select {
	case <-entered:
		cancel()
		if err := <-got; !errors.Is(err, context.Canceled) {
			t.Fatalf("a waiting stream that gave up got %v, want context.Canceled", err)
		}
	case err := <-got:
		cancel()
		t.Fatalf("a stream got a slot at once (err %v), want it to wait: a slot leaked", err)
	}
}

// A stream granted a slot at the moment it gives up (its client left, or
// telling it its place failed) hands the slot on to the next in line: no
// slot leaks and none is made up.
func TestGrantedWhileLeavingHandsTheSlotOn(t *testing.T) {
	q := New(1, 2)
	if err := q.Acquire(context.Background(), nil, quiet()); err != nil {
		t.Fatal(err)
	}
	leaverIn, secondIn := make(chan struct{}), make(chan struct{})
	leaver := Watch{
		Entered: func(int) { close(leaverIn) },
		Moved: func(int) error {
			<-secondIn
			// The holder leaves, so the slot goes to this stream, which
			// gives up at that moment.
			q.Release()
			return errors.New("client gone")
		},
	}
	left := make(chan error, 1)
	go func() { left <- q.Acquire(context.Background(), nil, leaver) }()
	<-leaverIn // first in line
	second := acquireAsync(context.Background(), q, nil, secondIn)
	if err := <-left; err == nil || err.Error() != "client gone" {
		t.Fatalf("the stream that gave up got %v, want its Watch's error", err)
	}
	select {
	case err := <-second:
		if err != nil {
			t.Fatalf("the next in line got %v, want the slot", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the next in line got no slot within 5 s: the slot granted to the stream that gave up leaked")
	}
	wantQueued(t, q) // the one slot is held by the second stream
	q.Release()
	if err := q.Acquire(context.Background(), nil, quiet()); err != nil {
		t.Fatalf("after the release: %v, want the free slot at once", err)
	}
	wantQueued(t, q) // one slot, not two
}

// Waiting streams get slots in the order they came; one more than the
// queue holds is refused; a drain ends the waits.
func TestQueueIsFIFOBoundedAndDrains(t *testing.T) {
	q := New(1, 2)
	if err := q.Acquire(context.Background(), nil, quiet()); err != nil {
		t.Fatal(err)
	}
	drain := make(chan struct{})
	inA, inB := make(chan struct{}), make(chan struct{})
	a := acquireAsync(context.Background(), q, drain, inA)
	<-inA
	b := acquireAsync(context.Background(), q, drain, inB)
	<-inB
	if err := q.Acquire(context.Background(), drain, quiet()); !errors.Is(err, ErrFull) {
		t.Fatalf("a stream over the queue's bound got %v, want ErrFull", err)
	}
	q.Release()
	if err := <-a; err != nil {
		t.Fatalf("the first in line got %v, want the slot", err)
	}
	close(drain)
	if err := <-b; !errors.Is(err, ErrDraining) {
		t.Fatalf("a stream waiting at a drain got %v, want ErrDraining", err)
	}
}

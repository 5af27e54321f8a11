package stream

import (
	"context"
	"errors"
	"io"
	"testing"

	pb "github.com/framewire/framewire/proto"
)

// waitingSource yields one frame, then waits for its context.
type waitingSource struct{ n int }

func (w *waitingSource) Next(ctx context.Context) (*pb.Frame, error) {
	if w.n == 0 {
		w.n++
		return &pb.Frame{}, nil
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (w *waitingSource) SkipTo(seq int64) error { return nil }

// Until ends a source at once, also in the middle of a waiting Next, and
// keeps the source's SkipTo.
func TestUntilEndsASourceGracefully(t *testing.T) {
	stopCtx, stop := context.WithCancel(context.Background())
	src := Until(stopCtx, &waitingSource{})
	if _, ok := src.(Skipper); !ok {
		t.Error("Until of a Skipper cannot skip")
	}
	if f, err := src.Next(context.Background()); f == nil || err != nil {
		t.Fatalf("first frame: %v, %v", f, err)
	}
	got := make(chan error, 1)
	go func() {
		_, err := src.Next(context.Background())
		got <- err
	}()
	stop()
	if err := <-got; !errors.Is(err, io.EOF) {
		t.Errorf("a waiting Next after stop: %v, want io.EOF", err)
	}
	if _, err := src.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("Next after stop: %v, want io.EOF", err)
	}
}

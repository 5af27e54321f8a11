package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
)

// patience bounds every wait of the suite for something that should
// happen at once.
const patience = 30 * time.Second

// oneWriter: in one server, a name has one writer. A call of another run
// is refused while it is held (EXIST_INCREMENT moves on to the next
// name); a call of the same run (a client reconnecting over a half-open
// connection) takes it over: the holder is asked to end, and the new call
// opens once it let go, with every frame it recorded done.
func oneWriter(t *testing.T, b Backend) {
	t.Run("other_run_refused", func(t *testing.T) {
		s := b.Open(t, b.NewPlace(t))
		first := open(t, s, "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
		_, err := s.Open(context.Background(), "clip", finite("run-2", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
		wantErr(t, "second run while the first holds the name", err, core.ErrNameInUse)
		closeOut(t, first)
		open(t, s, "clip", finite("run-2", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
	})
	t.Run("increment_moves_on", func(t *testing.T) {
		s := b.Open(t, b.NewPlace(t))
		open(t, s, "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_INCREMENT)
		o := open(t, s, "clip", finite("run-2", "clip.mp4"), pb.ExistPolicy_EXIST_INCREMENT)
		if o.Name() != "clip-2" {
			t.Errorf("increment past a held name gave %q, want \"clip-2\"", o.Name())
		}
	})
	t.Run("same_run_takes_over", func(t *testing.T) { takeOver(t, b) })
	t.Run("take_over_wait_ends_with_ctx", func(t *testing.T) {
		s := b.Open(t, b.NewPlace(t))
		open(t, s, "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME) // never lets go
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := s.Open(ctx, "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
		wantErr(t, "take-over of a holder that does not let go", err, context.DeadlineExceeded)
	})
}

// takeOver: a call of the same run evicts the holder and opens once the
// holder let go, with the frames it recorded until then done.
func takeOver(t *testing.T, b Backend) {
	place := b.NewPlace(t)
	s := b.Open(t, place)
	run := finite("run-1", "clip.mp4")
	first := open(t, s, "clip", run, pb.ExistPolicy_EXIST_RESUME)
	recordAll(t, first, 0, 3)
	type opened struct {
		out core.Output
		err error
	}
	second := make(chan opened, 1)
	go func() {
		out, err := s.Open(context.Background(), "clip", run, pb.ExistPolicy_EXIST_RESUME)
		second <- opened{out, err}
	}()
	select {
	case <-first.Evicted():
	case <-time.After(patience):
		t.Fatalf("the holder was not asked to end within %v of a take-over", patience)
	}
	recordFrame(t, first, 3, true) // what it had in hand
	closeOut(t, first)
	got := <-second
	if got.err != nil {
		t.Fatalf("take-over: %v", got.err)
	}
	o := &output{Output: got.out}
	t.Cleanup(func() { o.Close() })
	checkDone(t, o, "[0,4)")
}

// wantErr wants err to wrap want.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want one wrapping %q", what, err, want)
	}
}

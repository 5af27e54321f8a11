package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
)

// leases: among servers sharing a store (replicas), a name has one
// writer too. A call of another run is refused (ErrNameInUse); a call of
// the same run is told to retry (ErrHeldElsewhere) until the holder ends,
// and then opens with the holder's frames done. A holder that is killed
// frees its name (at once, or when its lease expires).
func leases(t *testing.T, b Backend) {
	t.Run("replica_refused_while_held", func(t *testing.T) {
		place := b.NewPlace(t)
		a, other := b.Open(t, place), b.Open(t, place)
		run := finite("run-1", "clip.mp4")
		held := open(t, a, "clip", run, pb.ExistPolicy_EXIST_RESUME)
		recordAll(t, held, 0, 3)
		_, err := other.Open(context.Background(), "clip", finite("run-2", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
		wantErr(t, "another run on a replica", err, core.ErrNameInUse)
		_, err = other.Open(context.Background(), "clip", run, pb.ExistPolicy_EXIST_RESUME)
		wantErr(t, "the same run on a replica", err, core.ErrHeldElsewhere)
		closeOut(t, held)
		checkDone(t, open(t, other, "clip", run, pb.ExistPolicy_EXIST_RESUME), "[0,3)")
	})
	t.Run("killed_holder", func(t *testing.T) { killedHolder(t, b) })
}

// openWhenFree opens name in s for run, retrying while it is held (a dead
// holder's lease not yet expired) until b.LeaseExpiry and the suite's
// patience have passed.
func openWhenFree(t *testing.T, b Backend, s core.Store, name string, run record.Run) *output {
	t.Helper()
	deadline := time.Now().Add(b.LeaseExpiry + patience)
	for {
		out, err := s.Open(context.Background(), name, run, pb.ExistPolicy_EXIST_RESUME)
		if err == nil {
			o := &output{Output: out}
			t.Cleanup(func() { o.Close() })
			return o
		}
		held := errors.Is(err, core.ErrNameInUse) || errors.Is(err, core.ErrHeldElsewhere)
		if !held || time.Now().After(deadline) {
			t.Fatalf("open stream %q after its holder was killed: %v", name, err)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
}

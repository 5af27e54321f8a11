package storetest

import (
	"errors"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
)

// resume: a name holds one run. A call of the same run resumes it (Done,
// Resumed); a call of another run is refused with how the runs differ
// (EXIST_RESUME), starts afresh over it (EXIST_OVERWRITE,
// even over the same run) or takes the next free name (EXIST_INCREMENT).
// A live run continues only itself.
func resume(t *testing.T, b Backend) {
	t.Run("fresh", func(t *testing.T) {
		o := open(t, b.Open(t, b.NewPlace(t)), "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
		if o.Resumed() || len(o.Done()) > 0 {
			t.Errorf("a new name: resumed %v, done %q; want neither", o.Resumed(), rangesText(o.Done()))
		}
	})
	t.Run("same_run", func(t *testing.T) {
		place, o := recorded(t, b, "clip", finite("run-1", "clip.mp4"), 4)
		closeOut(t, o)
		o = open(t, b.Open(t, place), "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
		if !o.Resumed() {
			t.Errorf("the same run again: not resumed")
		}
		checkDone(t, o, "[0,4)")
	})
	t.Run("other_run_refused", func(t *testing.T) { otherRunRefused(t, b) })
	t.Run("overwrite", func(t *testing.T) { overwrite(t, b) })
	t.Run("increment", func(t *testing.T) {
		place, o := recorded(t, b, "clip", finite("run-1", "clip.mp4"), 2)
		closeOut(t, o)
		o = open(t, b.Open(t, place), "clip", finite("run-2", "other.mp4"), pb.ExistPolicy_EXIST_INCREMENT)
		if o.Name() != "clip-2" || o.Resumed() {
			t.Errorf("increment over another run: name %q, resumed %v; want a fresh \"clip-2\"", o.Name(), o.Resumed())
		}
	})
	t.Run("live_continues_only_itself", func(t *testing.T) { liveContinues(t, b) })
}

// recorded opens name in a new place for run and records frames [0, n).
func recorded(t *testing.T, b Backend, name string, run record.Run, n int64) (string, *output) {
	t.Helper()
	place := b.NewPlace(t)
	o := open(t, b.Open(t, place), name, run, pb.ExistPolicy_EXIST_RESUME)
	recordAll(t, o, 0, n)
	return place, o
}

// otherRunRefused: another run's call is refused with the differences,
// and the name's lines are left as they were.
func otherRunRefused(t *testing.T, b Backend) {
	place, o := recorded(t, b, "clip", finite("run-1", "clip.mp4"), 2)
	closeOut(t, o)
	_, err := b.Open(t, place).Open(t.Context(), "clip", finite("run-2", "other.mp4"), pb.ExistPolicy_EXIST_RESUME)
	var other *core.OtherRunError
	if !errors.As(err, &other) || len(other.Differences) == 0 {
		t.Fatalf("another run's call: error %v, want a *core.OtherRunError saying how the runs differ", err)
	}
	checkLines(t, b, place, "clip", span(0, 2))
}

// overwrite: EXIST_OVERWRITE starts afresh, over another run or the same.
func overwrite(t *testing.T, b Backend) {
	for _, run := range []record.Run{finite("run-2", "other.mp4"), finite("run-1", "clip.mp4")} {
		place, o := recorded(t, b, "clip", finite("run-1", "clip.mp4"), 3)
		closeOut(t, o)
		o = open(t, b.Open(t, place), "clip", run, pb.ExistPolicy_EXIST_OVERWRITE)
		if o.Resumed() || len(o.Done()) > 0 {
			t.Errorf("overwrite with %s: resumed %v, done %q; want a fresh stream", run.SourceSpec, o.Resumed(), rangesText(o.Done()))
		}
		recordAll(t, o, 5, 6)
		closeOut(t, o)
		checkLines(t, b, place, "clip", []int64{5})
	}
}

// liveContinues: a camera's new run does not continue its earlier one;
// a reconnect of the same run does.
func liveContinues(t *testing.T, b Backend) {
	place, o := recorded(t, b, "cam", live("cam-run-1"), 3)
	closeOut(t, o)
	s := b.Open(t, place)
	_, err := s.Open(t.Context(), "cam", live("cam-run-2"), pb.ExistPolicy_EXIST_RESUME)
	var other *core.OtherRunError
	if !errors.As(err, &other) {
		t.Errorf("a camera's next run: error %v, want a *core.OtherRunError", err)
	}
	checkDone(t, open(t, s, "cam", live("cam-run-1"), pb.ExistPolicy_EXIST_RESUME), "[0,3)")
}

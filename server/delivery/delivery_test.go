package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/framewire/framewire/internal/backoff"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/delivery"
	"github.com/framewire/framewire/server/delivery/eventstest"
)

// fakeSink records what it takes; while down it takes nothing, and it
// rejects the ids in reject.
type fakeSink struct {
	mu     sync.Mutex
	got    []string
	down   atomic.Bool
	failed atomic.Int64 // attempts refused while down
	reject map[string]bool
}

func (s *fakeSink) Kind() string { return "fake" }

func (s *fakeSink) Deliver(ctx context.Context, evs []delivery.Event) (int, error) {
	if s.down.Load() {
		s.failed.Add(1)
		return 0, errors.New("receiver down")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, ev := range evs {
		if s.reject[ev.ID] {
			return i, fmt.Errorf("%w: bad event", delivery.ErrRejected)
		}
		s.got = append(s.got, ev.ID)
	}
	return len(evs), nil
}

func (s *fakeSink) Close() error { return nil }

func (s *fakeSink) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

// running is a Deliverer running until stop.
type running struct {
	d    *delivery.Deliverer
	stop func()
}

func start(t *testing.T, out string, sinks ...delivery.Sink) *running {
	t.Helper()
	return startPolling(t, out, 20*time.Millisecond, sinks...)
}

// startPolling is start with another poll interval.
func startPolling(t *testing.T, out string, poll time.Duration, sinks ...delivery.Sink) *running {
	t.Helper()
	d, err := delivery.New(delivery.Config{OutDir: out, Sinks: sinks, Poll: poll,
		Backoff: backoff.Policy{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	r := &running{d: d}
	r.stop = func() {
		cancel()
		<-done
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			r.stop()
		}
	})
	return r
}

// wholePasses waits until the Deliverer has done n whole passes over the
// streams that started after the call: what they would send is sent.
func (r *running) wholePasses(t *testing.T, n int64) {
	t.Helper()
	from := r.d.Passes()
	waitFor(t, fmt.Sprintf("%d more passes", n), func() bool { return r.d.Passes() >= from+n+1 })
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEveryEventArrivesAfterAnOutage(t *testing.T) {
	out := t.TempDir()
	sink := &fakeSink{}
	want := map[string][]string{}
	want["cam1"] = eventstest.Append(t, out, "cam1", 0, 100)
	want["cam2"] = eventstest.Append(t, out, "cam2", 0, 10)
	start(t, out, sink)
	waitFor(t, "the first events", func() bool { return len(sink.ids()) == 110 })
	sink.down.Store(true)
	want["cam1"] = append(want["cam1"], eventstest.Append(t, out, "cam1", 100, 300)...)
	want["cam3"] = eventstest.Append(t, out, "cam3", 0, 50) // a stream that starts and ends while down
	waitFor(t, "failed attempts", func() bool { return sink.failed.Load() >= 5 })
	sink.down.Store(false)
	waitFor(t, "every event", func() bool { return len(sink.ids()) >= 360 })
	for stream, ids := range want {
		eventstest.CheckAll(t, eventstest.OfStream(sink.ids(), stream), ids)
	}
}

func TestRestartResumesFromTheCursor(t *testing.T) {
	out := t.TempDir()
	want := eventstest.Append(t, out, "cam", 0, 200)
	first := &fakeSink{}
	r := start(t, out, first)
	waitFor(t, "the first run's events", func() bool { return len(first.ids()) == 200 })
	r.stop()
	want = append(want, eventstest.Append(t, out, "cam", 200, 250)...)
	second := &fakeSink{}
	r2 := start(t, out, second)
	waitFor(t, "the new events", func() bool { return len(second.ids()) >= 50 })
	r2.wholePasses(t, 2) // nothing else may come
	if got := second.ids(); len(got) != 50 || got[0] != eventstest.ID("cam", 200) {
		t.Fatalf("after the restart got %d events from %q, want the 50 from %q", len(got), got[0], eventstest.ID("cam", 200))
	}
	eventstest.CheckAll(t, append(first.ids(), second.ids()...), want)
}

func TestPartialLineWaitsForItsNewline(t *testing.T) {
	out := t.TempDir()
	eventstest.Append(t, out, "cam", 0, 3)
	f, err := os.OpenFile(filepath.Join(out, "cam", record.EventsFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	last := eventstest.Line("cam", 3)
	f.WriteString(last[:10])
	sink := &fakeSink{}
	r := start(t, out, sink)
	waitFor(t, "the complete lines", func() bool { return len(sink.ids()) == 3 })
	r.wholePasses(t, 2)
	if n := len(sink.ids()); n != 3 {
		t.Fatalf("got %d events while the 4th line had no newline, want 3", n)
	}
	f.WriteString(last[10:])
	waitFor(t, "the completed line", func() bool { return len(sink.ids()) == 4 })
	eventstest.CheckAll(t, sink.ids(), []string{eventstest.ID("cam", 0), eventstest.ID("cam", 1), eventstest.ID("cam", 2), eventstest.ID("cam", 3)})
}

// A file healed after a crash (a damaged line set aside, the tail written
// again with the same ids) moves the bytes: delivery goes on after the
// cursor's last id, losing nothing.
func TestHealedFileGoesOnAfterTheLastID(t *testing.T) {
	out := t.TempDir()
	want := eventstest.Append(t, out, "cam", 0, 20)
	first := &fakeSink{}
	r := start(t, out, first)
	waitFor(t, "the first events", func() bool { return len(first.ids()) == 20 })
	r.stop()
	file := filepath.Join(out, "cam", record.EventsFile)
	healed := ""
	for i := range 30 {
		healed += eventstest.Line("cam", i)
		if i == 4 {
			healed += "   \n" // a blank line shifts every byte after it
		}
	}
	if err := os.WriteFile(file+".new", []byte(healed), 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(file+".new", file); err != nil {
		t.Fatal(err)
	}
	want = append(want, eventstest.Ids("cam", 20, 30)...)
	second := &fakeSink{}
	start(t, out, second)
	waitFor(t, "the new events", func() bool { return len(second.ids()) >= 10 })
	if got := second.ids(); got[0] != eventstest.ID("cam", 20) {
		t.Fatalf("after healing, delivery started at %q, want %q", got[0], eventstest.ID("cam", 20))
	}
	eventstest.CheckAll(t, append(first.ids(), second.ids()...), want)
}

func TestRejectedEventIsSkippedAndCounted(t *testing.T) {
	out := t.TempDir()
	want := eventstest.Append(t, out, "cam", 0, 10)
	sink := &fakeSink{reject: map[string]bool{eventstest.ID("cam", 3): true}}
	start(t, out, sink)
	waitFor(t, "the accepted events", func() bool { return len(sink.ids()) == 9 })
	eventstest.CheckAll(t, sink.ids(), append(want[:3:3], want[4:]...))
}

// Two servers sharing the output folder: one delivers, the other takes
// over when it stops, from its cursors.
func TestOneServerOfTwoDeliversAndTheOtherTakesOver(t *testing.T) {
	out := t.TempDir()
	want := eventstest.Append(t, out, "cam", 0, 100)
	a, b := &fakeSink{}, &fakeSink{}
	ra := start(t, out, a)
	waitFor(t, "the first server's events", func() bool { return len(a.ids()) == 100 })
	start(t, out, b)
	want = append(want, eventstest.Append(t, out, "cam", 100, 150)...)
	waitFor(t, "the new events", func() bool { return len(a.ids()) == 150 })
	if n := len(b.ids()); n != 0 {
		t.Fatalf("the second server delivered %d events while the first held the lock", n)
	}
	ra.stop()
	want = append(want, eventstest.Append(t, out, "cam", 150, 200)...)
	waitFor(t, "the second server's events", func() bool { return len(eventstest.Missing(append(a.ids(), b.ids()...), want)) == 0 })
	if got := b.ids(); got[0] != eventstest.ID("cam", 150) {
		t.Errorf("the second server started at %q, want %q (after the first one's cursor)", got[0], eventstest.ID("cam", 150))
	}
	eventstest.CheckAll(t, append(a.ids(), b.ids()...), want)
}

// The events file's tail cut and written again in place (same file),
// with shorter lines for the same events, most likely between two passes:
// the cursor then points mid-line, which is noticed, and delivery goes
// on after its last id, losing nothing.
func TestTailRewrittenInPlaceIsNoticed(t *testing.T) {
	out := t.TempDir()
	want := eventstest.Append(t, out, "cam", 0, 10)
	sink := &fakeSink{}
	start(t, out, sink)
	waitFor(t, "the first events", func() bool { return len(sink.ids()) == 10 })
	var kept int64
	for i := range 7 {
		kept += int64(len(eventstest.Line("cam", i)))
	}
	var tail string
	for i := 7; i < 20; i++ { // events 7.. again, each line shorter
		tail += strings.Replace(eventstest.Line("cam", i), "line_crossed", "x", 1)
	}
	f, err := os.OpenFile(filepath.Join(out, "cam", record.EventsFile), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(kept); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(tail), kept); err != nil {
		t.Fatal(err)
	}
	want = append(want, eventstest.Ids("cam", 10, 20)...)
	waitFor(t, "the events after the last id", func() bool { return len(eventstest.Missing(sink.ids(), want)) == 0 })
	eventstest.CheckAll(t, sink.ids(), want)
}

// With a poll of an hour, events written after the first pass go out
// only because Notify wakes the Deliverer.
func TestNotifyDeliversBeforeThePoll(t *testing.T) {
	out := t.TempDir()
	want := eventstest.Append(t, out, "cam", 0, 3)
	sink := &fakeSink{}
	r := startPolling(t, out, time.Hour, sink)
	waitFor(t, "the first pass's events", func() bool { return len(sink.ids()) == 3 })
	for i := 3; i < 6; i++ {
		want = append(want, eventstest.Append(t, out, "cam", i, i+1)...)
		r.d.Notify("cam")
		waitFor(t, fmt.Sprintf("event %d after Notify", i), func() bool { return len(sink.ids()) == i+1 })
	}
	eventstest.CheckAll(t, sink.ids(), want)
}

package eventstage_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/framewire/framewire/internal/zonefile"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/service/eventstage"
	"github.com/framewire/framewire/server/store/folder"
)

const rulesYAML = `
hysteresis: 2
lines:
  - name: door
    from: [200, 0]
    to: [200, 400]
zones:
  - name: desk
    polygon: [[0, 0], [100, 0], [100, 400], [0, 400]]
`

var run = record.Run{SourceSpec: "clip.avi", FrameCount: 1000, Model: record.Model{Kind: "fake"}}

// result is frame seq of a made-up scene: people walking right and left
// across the door and through the desk zone, a new one every 15 frames,
// each for 40 frames, so that crossings under way, open visits and
// tracks gone straddle every frame.
func result(seq int64) *pb.FrameResult {
	pos := seq * 40000
	r := &pb.FrameResult{Seq: seq, CaptureUnixNano: 1e18 + seq*4e7, PositionUs: &pos}
	for id := max(1, seq/15-2); id <= seq/15+1; id++ {
		age := seq - (id-1)*15
		if age < 0 || age >= 40 {
			continue
		}
		x := float32(20 + 8*age)
		if id%2 == 0 {
			x = 340 - float32(8*age)
		}
		r.Detections = append(r.Detections, &pb.Detection{Label: "person", Score: 0.9, TrackId: id,
			Box: &pb.Box{X: x - 10, Y: 100, Width: 20, Height: 60}})
	}
	return r
}

// counting is a stream's output and its stage, with what the stage's
// options heard. frames is what stands for the tracker's state: the
// frames it saw, replayed or committed.
type counting struct {
	out      core.Output
	stage    *eventstage.Stage
	frames   int
	replayed int
	restored bool
}

// open opens stream cam in dir and its counting, a checkpoint every 7
// frames.
func open(t testing.TB, dir string) *counting {
	t.Helper()
	return openHooked(t, dir, eventstage.Hooks{})
}

// openHooked is open with hooks.
func openHooked(t testing.TB, dir string, hooks eventstage.Hooks) *counting {
	t.Helper()
	return openOn(t, openOutput(t, dir), hooks)
}

// openOutput opens stream cam of the folder store in dir.
func openOutput(t testing.TB, dir string) core.Output {
	t.Helper()
	store, err := folder.New(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	out, err := store.Open(context.Background(), "cam", run, pb.ExistPolicy_EXIST_RESUME)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// openOn opens the counting of out, with hooks.
func openOn(t testing.TB, out core.Output, hooks eventstage.Hooks) *counting {
	t.Helper()
	cfg, err := zonefile.Parse([]byte(rulesYAML))
	if err != nil {
		t.Fatal(err)
	}
	c := &counting{out: out}
	c.stage, err = eventstage.Open(cfg, out, run, eventstage.Options{
		Replay:   func(record.Frame) { c.replayed++; c.frames++ },
		Snapshot: func() (json.RawMessage, bool) { b, err := json.Marshal(c.frames); return b, err == nil },
		Restore: func(b json.RawMessage) bool {
			c.restored = json.Unmarshal(b, &c.frames) == nil
			return c.restored
		},
		CheckpointEvery: 7,
		Hooks:           hooks,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// feed records and counts frames from..to-1.
func (c *counting) feed(t testing.TB, from, to int64) {
	t.Helper()
	for seq := from; seq < to; seq++ {
		r := result(seq)
		c.stage.Peek(r)
		if err := c.out.Append(record.FromResult(r)); err != nil {
			t.Fatal(err)
		}
		c.frames++
		if err := c.stage.Commit(r); err != nil {
			t.Fatal(err)
		}
	}
}

// whole is the events file and counts of frames 0..n-1 counted in one go.
func whole(t *testing.T, n int64) (string, []record.Count) {
	t.Helper()
	dir := t.TempDir()
	c := open(t, dir)
	c.feed(t, 0, n)
	counts := c.stage.Counts()
	c.out.Close()
	return readEvents(t, dir), counts
}

func readEvents(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "cam", record.EventsFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A stream stopped (as if killed: no checkpoint at the end) after frame
// 100 and opened again starts from the checkpoint after frame 98,
// replaying 2 frames, and ends with the events and counts, byte for byte,
// of the stream counted in one go.
func TestResumeFromTheCheckpointEqualsAWholeReplay(t *testing.T) {
	want, wantCounts := whole(t, 160)
	dir := t.TempDir()
	first := open(t, dir)
	first.feed(t, 0, 100)
	first.out.Close()
	again := open(t, dir)
	if !again.restored || again.replayed != 2 || again.frames != 100 {
		t.Fatalf("reopened: restored %v, replayed %d frames, the tracker's state at %d; want restored, 2 replayed, 100",
			again.restored, again.replayed, again.frames)
	}
	again.feed(t, 100, 160)
	checkSameAsWhole(t, dir, again, want, wantCounts)
	again.out.Close()
	if strings.Count(want, "\n") < 10 {
		t.Fatalf("the scene gives %d events, want at least 10", strings.Count(want, "\n"))
	}
}

// A checkpoint that is damaged, missing, or covers bytes the files no
// longer hold (a torn events tail) is ignored: every frame is replayed
// and the events are those of the stream counted in one go.
func TestDamagedOrMissingCheckpointFallsBackToAWholeReplay(t *testing.T) {
	want, wantCounts := whole(t, 130)
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string)
	}{
		{"damaged", func(t *testing.T, dir string) {
			write(t, dir, folder.CountCheckpointFile, `{"predictions_size":12,"sta`)
		}},
		{"missing", func(t *testing.T, dir string) { remove(t, dir, folder.CountCheckpointFile) }},
		{"of other bytes", func(t *testing.T, dir string) { write(t, dir, record.EventsFile, "") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first := open(t, dir)
			first.feed(t, 0, 100)
			first.out.Close()
			tc.damage(t, dir)
			again := open(t, dir)
			if again.restored || again.replayed != 100 {
				t.Fatalf("reopened: restored %v, replayed %d frames; want not restored, 100 replayed", again.restored, again.replayed)
			}
			again.feed(t, 100, 130)
			checkSameAsWhole(t, dir, again, want, wantCounts)
			again.out.Close()
		})
	}
}

// checkSameAsWhole checks that the events written in dir and the counts
// of stream s are want and wantCounts, those of the stream counted in one go.
func checkSameAsWhole(t *testing.T, dir string, s *counting, want string, wantCounts []record.Count) {
	t.Helper()
	if got := readEvents(t, dir); got != want {
		t.Errorf("events after the reopening:\n%s\nwant (counted in one go):\n%s", got, want)
	}
	if got := s.stage.Counts(); !slices.Equal(got, wantCounts) {
		t.Errorf("counts %v, want %v", got, wantCounts)
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "cam", name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(dir, "cam", name)); err != nil {
		t.Fatal(err)
	}
}

// failingEvents is an output whose events file fails to take one append
// of events.
type failingEvents struct {
	core.Output
	core.EventLog
	failAt int // the append of events that fails, counted from 1
	n      int
}

func (f *failingEvents) AppendEvents(evs []record.Event) error {
	if len(evs) > 0 {
		if f.n++; f.n == f.failAt {
			return errors.New("disk full")
		}
	}
	return f.EventLog.AppendEvents(evs)
}

// A frame recorded whose events could not be written (the frame is then
// answered as not recorded, the stream goes on) leaves the counter behind
// the files: no checkpoint is saved after it, so the next open replays
// from before it and writes its events.
func TestEventsNotWrittenAreWrittenAtTheNextOpen(t *testing.T) {
	want, wantCounts := whole(t, 100)
	dir := t.TempDir()
	out := openOutput(t, dir)
	first := openOn(t, &failingEvents{Output: out, EventLog: out.(core.EventLog), failAt: 3}, eventstage.Hooks{})
	failed := 0
	for seq := int64(0); seq < 60; seq++ {
		r := result(seq)
		first.stage.Peek(r)
		if err := first.out.Append(record.FromResult(r)); err != nil {
			t.Fatal(err)
		}
		first.frames++
		if err := first.stage.Commit(r); err != nil {
			failed++
		}
	}
	first.stage.Close()
	first.out.Close()
	if failed != 1 {
		t.Fatalf("%d commits failed, want the one", failed)
	}
	// What went out live after the failure is the whole run's too: every
	// line written is one of its lines.
	for _, line := range strings.Split(strings.TrimSpace(readEvents(t, dir)), "\n") {
		if !strings.Contains(want, line+"\n") {
			t.Errorf("written live, not in the whole run: %s", line)
		}
	}
	again := open(t, dir)
	again.feed(t, 60, 100)
	checkSameAsWhole(t, dir, again, want, wantCounts)
	again.out.Close()
}

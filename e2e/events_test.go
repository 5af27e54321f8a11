package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"image"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/framewire/framewire/internal/capturecmd"
	"github.com/framewire/framewire/server/store/folder"
)

// doorZones is a vertical line through the middle of a 720x640 frame,
// drawn top to bottom: its in side is the left.
const doorZones = `
lines:
  - name: door
    from: [360, 0]
    to: [360, 640]
    classes: [person]
`

// crossingWalkers walk across the door in opposite ways, one above the
// other: the top one rightwards (out), the bottom one leftwards (in).
func crossingWalkers(t *testing.T) (dir, zones string) {
	t.Helper()
	dir = t.TempDir()
	ws := []walker{{x0: 20, y0: 0, vx: 14}, {x0: 560, y0: 340, vx: -14}}
	writeWalkersSized(t, dir, 40, ws, image.Rect(0, 0, 720, 640))
	zones = filepath.Join(t.TempDir(), "zones.yaml")
	if err := os.WriteFile(zones, []byte(doorZones), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, zones
}

// eventLine is what these tests read of an events.jsonl line.
type eventLine struct {
	ID        string `json:"id"`
	Stream    string `json:"stream"`
	Kind      string `json:"kind"`
	Rule      string `json:"rule"`
	Direction string `json:"direction"`
	Seq       int64  `json:"seq"`
	TrackID   int64  `json:"track_id"`
	SinceSeq  int64  `json:"since_seq"`
	// For zone_left: the visit's first frame inside and its length.
	EnteredSeq  int64 `json:"entered_seq"`
	DwellFrames int64 `json:"dwell_frames"`
	DwellMs     int64 `json:"dwell_ms"`
}

func readEvents(t *testing.T, path string) []eventLine {
	t.Helper()
	var out []eventLine
	for _, l := range strings.Split(strings.TrimSpace(readFile(t, path)), "\n") {
		if l == "" {
			continue
		}
		var e eventLine
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("events line %q: %v", l, err)
		}
		out = append(out, e)
	}
	return out
}

// TestTwoPeopleCrossingCountInAndOut streams two people crossing a line
// in opposite ways: one in, one out, each once, in events.jsonl.
func TestTwoPeopleCrossingCountInAndOut(t *testing.T) {
	t.Parallel()
	dir, zones := crossingWalkers(t)
	s := startServer(t, t.TempDir())
	var stdout, stderr strings.Builder
	err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", dir, "--name", "door", "--zones", zones, "--quiet"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("client failed: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "--track is on") {
		t.Errorf("the client did not say --zones turns tracking on:\n%s", stderr.String())
	}
	evs := readEvents(t, filepath.Join(s.out, "door", "events.jsonl"))
	var got []string
	for _, e := range evs {
		got = append(got, e.Kind+" "+e.Rule+" "+e.Direction)
		if e.ID == "" || e.Stream != "door" {
			t.Errorf("event %+v: want an id and the stream's name", e)
		}
	}
	slices.Sort(got)
	if want := []string{"line_crossed door in", "line_crossed door out"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestBadZonesFileFailsBeforeAnyFrame(t *testing.T) {
	t.Parallel()
	zones := filepath.Join(t.TempDir(), "zones.yaml")
	if err := os.WriteFile(zones, []byte("lines:\n  - name: door\n    from: [1, 2, 3]\n    to: [4, 5]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	err := capturecmd.Run(context.Background(), []string{"--server", "127.0.0.1:1", "--source", vtest, "--zones", zones}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error()+stderr.String(), "lines[0].from: want [x, y], got 3 numbers") {
		t.Errorf("got %v\n%s\nwant an error naming lines[0].from", err, stderr.String())
	}
}

// TestServerKilledMidCountResumesTheSameEvents SIGKILLs the server in the
// middle of a counted stream; the client resumes on a new server. The
// events (ids and all) and counts equal an uninterrupted run's.
func TestServerKilledMidCountResumesTheSameEvents(t *testing.T) {
	t.Parallel()
	killMidCount(t, 21)
}

// TestServerKilledMidCountResumesFromTheCheckpoint is the same with the
// server saving its counting state every 5 frames and killed before the
// crossings: the resumed server restores the last checkpoint (counter
// and tracker), replays only the frames after it, and the crossings it
// then counts carry the ids of the uninterrupted run.
func TestServerKilledMidCountResumesFromTheCheckpoint(t *testing.T) {
	t.Parallel()
	killMidCount(t, 12, "--count-checkpoint-every", "5")
}

// killMidCount runs the crossing walkers through a server (with
// serverArgs) SIGKILLed once the client printed killAfter results, the
// client resuming on a new one, and checks that the events are those of
// an uninterrupted run.
func killMidCount(t *testing.T, killAfter int, serverArgs ...string) {
	dir, zones := crossingWalkers(t)
	args := []string{"--source", dir, "--name", "door", "--zones", zones, "--track", "--json", "--retries", "20"}

	whole := startServer(t, t.TempDir())
	var stdout, stderr strings.Builder
	if err := capturecmd.Run(context.Background(), append([]string{"--server", whole.addr}, args...), &stdout, &stderr); err != nil {
		t.Fatalf("uninterrupted client: %v\n%s", err, stderr.String())
	}
	want := readFile(t, filepath.Join(whole.out, "door", "events.jsonl"))

	out, addr := t.TempDir(), freeAddr(t)
	first := startServer(t, out, append([]string{"--listen", addr}, serverArgs...)...)
	pr, pw := io.Pipe()
	reached := make(chan struct{})
	go func() {
		sc, n := bufio.NewScanner(pr), 0
		for sc.Scan() {
			if n++; n == killAfter {
				close(reached)
			}
		}
	}()
	var errBuf strings.Builder
	done := make(chan error, 1)
	go func() {
		err := capturecmd.Run(context.Background(), append([]string{"--server", addr}, args...), pw, &errBuf)
		pw.Close()
		done <- err
	}()
	select {
	case <-reached:
	case err := <-done:
		t.Fatalf("client ended before the kill: %v\n%s", err, errBuf.String())
	}
	if err := first.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.Done()
	if len(serverArgs) > 0 {
		if _, err := os.Stat(filepath.Join(out, "door", folder.CountCheckpointFile)); err != nil {
			t.Errorf("no counting checkpoint before the kill: %v", err)
		}
	}
	startServer(t, out, append([]string{"--listen", addr}, serverArgs...)...)
	if err := <-done; err != nil {
		t.Fatalf("resumed client: %v\n%s", err, errBuf.String())
	}
	if !strings.Contains(errBuf.String(), "reconnecting") {
		t.Errorf("the client did not reconnect:\n%s", errBuf.String())
	}
	got := readFile(t, filepath.Join(out, "door", "events.jsonl"))
	if idsOfEvents(t, got) != idsOfEvents(t, want) || len(readEvents(t, filepath.Join(out, "door", "events.jsonl"))) != 2 {
		t.Errorf("resumed events:\n%s\nuninterrupted:\n%s", got, want)
	}
}

// idsOfEvents is the events' ids, kinds, rules, directions, frames and
// tracks, one line each (their capture times differ from run to run).
func idsOfEvents(t *testing.T, text string) string {
	t.Helper()
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		var e eventLine
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("events line %q: %v", l, err)
		}
		b.WriteString(strings.Join([]string{e.ID, e.Kind, e.Rule, e.Direction}, " "))
		b.WriteString("\n")
	}
	return b.String()
}

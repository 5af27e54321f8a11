package service

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/service/eventstage"
)

// thingZone holds the fake processor's box (anchor 2.5, 6).
const thingZone = `{"zones":[{"name":"box","polygon":[[0,0],[10,0],[10,10],[0,10]]}]}`

func zonesHeader(zones string, track bool) *pb.StreamHeader {
	return &pb.StreamHeader{Name: "counted", Source: "clip.avi", FrameCount: 10, SourceFingerprint: "f",
		Zones: zones, Options: &pb.StreamOptions{Track: track}}
}

func TestZonesInTheHeaderAreChecked(t *testing.T) {
	c := startServer(t, t.TempDir())
	for _, tc := range []struct {
		zones string
		track bool
		says  string
	}{
		{thingZone, false, "counting needs tracking"},
		{`{"zones":[{"name":"box","polygon":[[0,0],[10,0]]}]}`, true, "zones[0].polygon: 2 points"},
		{`{"zones":[{"name":"box","polygon":[[0,0],[10,0],[10,10]],"classes":["person"]}]}`, true, `the model has no class "person"`},
	} {
		_, err := runStream(t, c, zonesHeader(tc.zones, tc.track), 1)
		if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("zones %s, track %v: %v, want InvalidArgument saying %q", tc.zones, tc.track, err, tc.says)
		}
	}
}

// A counted stream resumed after its events.jsonl lost its tail ends with
// the events of an uninterrupted run; other rules are another run.
func TestCountedStreamResumesItsEvents(t *testing.T) {
	out := t.TempDir()
	c := startServer(t, out)
	if _, err := runStream(t, c, zonesHeader(thingZone, true), 5); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(out, "counted", record.EventsFile)
	lines := readLines(t, path)
	if len(lines) != 1 || !strings.Contains(lines[0], `"kind":"zone_entered"`) || !strings.Contains(lines[0], `"seq":2`) {
		t.Fatalf("events %q, want one zone_entered at frame 2", lines)
	}
	if err := os.WriteFile(path, []byte(lines[0][:20]), 0o644); err != nil { // a torn line
		t.Fatal(err)
	}
	sum, err := runStream(t, c, zonesHeader(thingZone, true), 10)
	if err != nil || sum.Skipped != 5 {
		t.Fatalf("resume: %v, skipped %d; want 5 skipped", err, sum.Skipped)
	}
	if again := readLines(t, path); len(again) != 1 || again[0] != lines[0] {
		t.Errorf("events after the resume %q, want %q", again, lines)
	}
	other := strings.Replace(thingZone, "box", "other", 1)
	if _, err := runStream(t, c, zonesHeader(other, true), 10); status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "zones") {
		t.Errorf("other zones: %v, want FailedPrecondition naming the zones", err)
	}
}

// A stream without rules of its own is counted by the server's zones file
// for its name, with tracking on; a bad file refuses the stream.
func TestZonesDirCountsByName(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	yaml := "zones:\n  - name: box\n    polygon: [[0, 0], [10, 0], [10, 10], [0, 10]]\n"
	if err := os.WriteFile(filepath.Join(dir, "counted.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"zones": [{"name": "z"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	s := serve(t, out, Config{ZonesDir: dir})
	if _, err := runStream(t, s.rpc, zonesHeader("", false), 5); err != nil {
		t.Fatal(err)
	}
	if lines := readLines(t, filepath.Join(out, "counted", record.EventsFile)); len(lines) != 1 || !strings.Contains(lines[0], `"rule":"box"`) {
		t.Errorf("events %q, want one of the zone box", lines)
	}
	if !strings.Contains(s.log.String(), "turns tracking on") {
		t.Errorf("log %q, want it to say tracking is on", s.log.String())
	}
	hdr := zonesHeader("", false)
	hdr.Name = "broken"
	if _, err := runStream(t, s.rpc, hdr, 1); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "zones[0].polygon") {
		t.Errorf("broken file: %v, want InvalidArgument naming zones[0].polygon", err)
	}
}

// The service's event hooks hear a counted stream's events written (so
// that delivery starts at once) and its zone's occupancy: at open, and
// when the thing enters.
func TestEventHooksHearTheStream(t *testing.T) {
	var mu sync.Mutex
	var written []string
	var occ []record.Occupancy
	hooks := eventstage.Hooks{
		Written:   func(s string) { mu.Lock(); written = append(written, s); mu.Unlock() },
		Occupancy: func(o record.Occupancy) { mu.Lock(); occ = append(occ, o); mu.Unlock() },
	}
	s := serve(t, t.TempDir(), Config{Events: hooks})
	if _, err := runStream(t, s.rpc, zonesHeader(thingZone, true), 5); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(written, []string{"counted"}) {
		t.Errorf("Written heard %q, want the stream once (its one frame with an event)", written)
	}
	if len(occ) != 2 || occ[0].Count != 0 || occ[1].Count != 1 || occ[1].Zone != "box" || occ[1].Seq != 2 {
		t.Errorf("Occupancy heard %+v, want box 0 at open, then 1 at frame 2", occ)
	}
}

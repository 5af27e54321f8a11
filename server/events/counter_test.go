package events

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/framewire/framewire/internal/zonefile"
	"github.com/framewire/framewire/proto/record"
)

// obj is one tracked box in a frame: its anchor (bottom centre) at x, y.
type obj struct {
	id    int64
	label string
	x, y  float32
}

// frames makes records from per-frame objects; boxes are 40x100 with the
// bottom centre at the object's point; frame i is 40 ms after frame i-1.
func frames(perFrame [][]obj) []record.Frame {
	out := make([]record.Frame, len(perFrame))
	for i, objs := range perFrame {
		pos := int64(i) * 40000
		f := record.Frame{Seq: int64(i), PositionUs: &pos, Detections: []record.Box{}}
		for _, o := range objs {
			label := o.label
			if label == "" {
				label = "person"
			}
			f.Detections = append(f.Detections, record.Box{Label: label, TrackID: o.id, Score: 0.9,
				Box: [4]float32{o.x - 20, o.y - 100, 40, 100}})
		}
		out[i] = f
	}
	return out
}

// path is object id moving from (x0, y0) by (vx, vy) a frame for n frames.
func path(id int64, x0, y0, vx, vy float32, n int) [][]obj {
	out := make([][]obj, n)
	for i := range out {
		out[i] = []obj{{id: id, x: x0 + vx*float32(i), y: y0 + vy*float32(i)}}
	}
	return out
}

// merge puts the objects of several paths frame by frame together.
func merge(paths ...[][]obj) [][]obj {
	n := 0
	for _, p := range paths {
		n = max(n, len(p))
	}
	out := make([][]obj, n)
	for _, p := range paths {
		for i, o := range p {
			out[i] = append(out[i], o...)
		}
	}
	return out
}

const doorAndCounter = `
lines:
  - name: door
    from: [384, 0]
    to: [384, 576]
    classes: [person]
zones:
  - name: counter
    polygon: [[0, 0], [200, 0], [200, 576], [0, 576]]
    classes: [person]
`

func run(t *testing.T, yml string, perFrame [][]obj) ([]record.Event, []record.Count) {
	t.Helper()
	cfg, err := zonefile.Parse([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	c := NewCounter(NewRules(cfg), "cam", "run-1")
	var evs []record.Event
	for _, f := range frames(perFrame) {
		evs = append(evs, c.Update(f)...)
	}
	return evs, c.Counts()
}

// summary is events as "kind rule dir #track@seq".
func summary(evs []record.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("%s %s%s #%d@%d", e.Kind, e.Rule, map[bool]string{true: " " + e.Direction}[e.Direction != ""], e.TrackID, e.Seq))
	}
	return out
}

func countOf(cs []record.Count, kind, rule, label string) record.Count {
	for _, c := range cs {
		if c.Kind == kind && c.Rule == rule && c.Label == label {
			return c
		}
	}
	return record.Count{}
}

func TestLineCounts(t *testing.T) {
	jitter := make([][]obj, 40)
	for i := range jitter {
		jitter[i] = []obj{{id: 1, x: 383 + 2*float32(i%2), y: 300}}
	}
	slowJitter := make([][]obj, 40) // two frames each side: below the hysteresis
	for i := range slowJitter {
		slowJitter[i] = []obj{{id: 1, x: 380 + 8*float32(i/2%2), y: 300}}
	}
	dogAndPerson := merge(path(1, 300, 300, 10, 0, 20), [][]obj{})
	for i := range dogAndPerson {
		dogAndPerson[i] = append(dogAndPerson[i], obj{id: 2, label: "dog", x: 300 + 10*float32(i), y: 500})
	}
	for _, tc := range []struct {
		name    string
		objs    [][]obj
		want    []string
		in, out int64
	}{
		{name: "opposite ways", objs: merge(path(1, 300, 300, 10, 0, 20), path(2, 470, 400, -10, 0, 20)),
			want: []string{"line_crossed door out #1@11", "line_crossed door in #2@11"}, in: 1, out: 1},
		{name: "jitter on the line", objs: jitter},
		{name: "slow jitter", objs: slowJitter},
		{name: "exactly on the line", objs: path(1, 384, 100, 0, 10, 30)},
		{name: "first seen past the line", objs: path(1, 500, 300, 1, 0, 20)},
		{name: "past the segment's end", objs: path(1, 300, 700, 10, 0, 20)},
		{name: "there and back", objs: append(path(1, 300, 300, 10, 0, 20), path(1, 490, 300, -10, 0, 20)...),
			want: []string{"line_crossed door out #1@11", "line_crossed door in #1@33"}, in: 1, out: 1},
		{name: "only its classes", objs: dogAndPerson, want: []string{"line_crossed door out #1@11"}, out: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, counts := run(t, doorAndCounter, tc.objs)
			if got := summary(evs); !slices.Equal(got, tc.want) {
				t.Errorf("events %q, want %q", got, tc.want)
			}
			c := countOf(counts, record.CountLine, "door", "person")
			if c.In != tc.in || c.Out != tc.out {
				t.Errorf("in %d out %d, want in %d out %d", c.In, c.Out, tc.in, tc.out)
			}
		})
	}
}

func TestZoneVisitedTwice(t *testing.T) {
	// In at frame 0 (x=100), out from frame 10, back in from 30, out from 45.
	var objs [][]obj
	for i := range 60 {
		x := float32(100)
		if i >= 10 && i < 30 || i >= 45 {
			x = 300
		}
		objs = append(objs, []obj{{id: 7, x: x, y: 300}})
	}
	evs, counts := run(t, doorAndCounter, objs)
	want := []string{"zone_entered counter #7@2", "zone_left counter #7@12", "zone_entered counter #7@32", "zone_left counter #7@47"}
	if got := summary(evs); !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
	for i, w := range []struct{ entered, frames, ms int64 }{{0, 10, 400}, {30, 15, 600}} {
		e := evs[2*i+1]
		if *e.EnteredSeq != w.entered || *e.DwellFrames != w.frames || *e.DwellMs != w.ms {
			t.Errorf("visit %d: entered %d, dwell %d frames %d ms; want %d, %d, %d", i, *e.EnteredSeq, *e.DwellFrames, *e.DwellMs, w.entered, w.frames, w.ms)
		}
	}
	c := countOf(counts, record.CountZone, "counter", "person")
	if c.Entered != 2 || c.Left != 2 || c.Inside != 0 {
		t.Errorf("counts %+v, want 2 entered, 2 left, 0 inside", c)
	}
}

func TestZoneJitterAtItsEdge(t *testing.T) {
	var objs [][]obj
	for i := range 40 {
		objs = append(objs, []obj{{id: 1, x: 199 + 2*float32(i%2), y: 300}})
	}
	evs, counts := run(t, doorAndCounter, objs)
	// Seen first on both sides in turn: never three frames in a row in.
	if len(evs) != 0 {
		t.Errorf("events %q, want none", summary(evs))
	}
	if c := countOf(counts, record.CountZone, "counter", "person"); c.Inside != 0 {
		t.Errorf("inside %d, want 0", c.Inside)
	}
}

// A track lost inside the zone and found again under a new id is the same
// visit: one entry, one exit, the exit naming the old id.
func TestNewIDCarriesOnTheVisit(t *testing.T) {
	objs := append(path(1, 100, 300, 0, 0, 10), make([][]obj, 5)...) // seen 10 frames, gone 5
	objs = append(objs, path(2, 105, 300, 20, 0, 20)...)             // back as #2, walking out
	evs, counts := run(t, doorAndCounter, objs)
	want := []string{"zone_entered counter #1@2", "zone_left counter #2@22", "line_crossed door out #2@31"}
	if got := summary(evs); !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
	if left := evs[1]; !slices.Equal(left.PreviousTrackIDs, []int64{1}) || *left.DwellFrames != 20 {
		t.Errorf("exit: previous ids %v, dwell %d frames; want [1], 20", left.PreviousTrackIDs, *left.DwellFrames)
	}
	if c := countOf(counts, record.CountZone, "counter", "person"); c.Entered != 1 || c.Left != 1 || c.Inside != 0 {
		t.Errorf("counts %+v, want 1 entered, 1 left", c)
	}
}

// A new id far from where a track vanished is another object; a track
// gone past rejoin_frames is lost and leaves the zone.
func TestLostTrackLeavesTheZone(t *testing.T) {
	objs := append(path(1, 100, 300, 0, 0, 10), make([][]obj, 70)...)
	objs = append(objs, path(2, 100, 300, 0, 0, 5)...)
	evs, counts := run(t, doorAndCounter, objs)
	want := []string{"zone_entered counter #1@2", "zone_left counter #1@70", "zone_entered counter #2@82"}
	if got := summary(evs); !slices.Equal(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
	if e := evs[1]; !e.Lost || e.SinceSeq != 9 || *e.DwellFrames != 9 {
		t.Errorf("lost exit %+v, want lost, since frame 9, 9 frames", e)
	}
	if c := countOf(counts, record.CountZone, "counter", "person"); c.Entered != 2 || c.Left != 1 || c.Inside != 1 {
		t.Errorf("counts %+v, want 2 entered, 1 left, 1 inside", c)
	}
}

// Counting frames 0..k, then a fresh counter replaying them and going on,
// gives the events of one counter over every frame: the state is a
// function of the records. Clone leaves the original alone.
func TestReplayGivesTheSameEvents(t *testing.T) {
	objs := merge(path(1, 100, 300, 10, 0, 40), path(2, 470, 400, -10, 0, 40), path(3, 150, 200, 0, 2, 40))
	fs := frames(objs)
	cfg, _ := zonefile.Parse([]byte(doorAndCounter))
	rules := NewRules(cfg)
	whole := NewCounter(rules, "cam", "k")
	var want []record.Event
	for _, f := range fs {
		want = append(want, whole.Update(f)...)
	}
	ids := map[string]bool{}
	for _, e := range want {
		if ids[e.ID] {
			t.Errorf("id %s twice", e.ID)
		}
		ids[e.ID] = true
	}
	for k := range fs {
		first := NewCounter(rules, "cam", "k")
		var got []record.Event
		for _, f := range fs[:k] {
			got = append(got, first.Update(f)...)
		}
		scratch := first.Clone()
		scratch.Update(fs[k])
		again := NewCounter(rules, "cam", "k")
		for _, f := range fs[:k] {
			again.Update(f)
		}
		for _, f := range fs[k:] {
			got = append(got, again.Update(f)...)
		}
		if !sameJSON(got, want) {
			t.Fatalf("resumed at %d: events %q, want %q", k, summary(got), summary(want))
		}
		if fmt.Sprint(first.Counts()) != fmt.Sprint(NewCounterAfter(rules, fs[:k]).Counts()) {
			t.Fatalf("clone changed the counter it came from")
		}
	}
}

func NewCounterAfter(rules *Rules, fs []record.Frame) *Counter {
	c := NewCounter(rules, "cam", "k")
	for _, f := range fs {
		c.Update(f)
	}
	return c
}

func TestEventIDsDependOnRunTrackFrameRule(t *testing.T) {
	base := eventID("run", 1, 10, "door", "x")
	for _, other := range []string{
		eventID("run2", 1, 10, "door", "x"), eventID("run", 2, 10, "door", "x"),
		eventID("run", 1, 11, "door", "x"), eventID("run", 1, 10, "door2", "x"), eventID("run", 1, 10, "door", "y"),
	} {
		if other == base {
			t.Errorf("id %s repeats", base)
		}
	}
	if eventID("run", 1, 10, "door", "x") != base || len(base) != 24 {
		t.Errorf("id %q not stable or not 24 hex digits", base)
	}
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

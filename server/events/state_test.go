package events

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/framewire/framewire/internal/zonefile"
	"github.com/framewire/framewire/proto/record"
)

// A counter saved as JSON after any frame k (State), restored and fed
// the frames after k, gives the events and counts of one counter over
// every frame: crossings under way (hysteresis), open visits, a track
// lost and one found again under a new id included.
func TestRestoredStateGoesOnLikeTheWholeRun(t *testing.T) {
	objs := merge(path(1, 100, 300, 10, 0, 40), path(2, 470, 400, -10, 0, 40), path(3, 150, 200, 0, 2, 40))
	objs = append(objs, append(path(4, 100, 300, 0, 0, 10), make([][]obj, 5)...)...)  // #4 vanishes in the zone
	objs = append(objs, path(5, 105, 300, 20, 0, 20)...)                              // back as #5, walking out
	objs = append(objs, append(path(6, 100, 300, 0, 0, 10), make([][]obj, 70)...)...) // #6 lost in the zone
	fs := frames(objs)
	for i := range fs {
		fs[i].Seq = int64(i) // frames() numbers each part from 0
	}
	cfg, _ := zonefile.Parse([]byte(doorAndCounter))
	rules := NewRules(cfg)
	whole := NewCounter(rules, "cam", "k")
	var want []record.Event
	for _, f := range fs {
		want = append(want, whole.Update(f)...)
	}
	if len(want) < 8 {
		t.Fatalf("the scenario gives %d events, want at least 8 (crossings, visits, a rejoin, a loss)", len(want))
	}
	for k := range len(fs) + 1 {
		first := NewCounter(rules, "cam", "k")
		var got []record.Event
		for _, f := range fs[:k] {
			got = append(got, first.Update(f)...)
		}
		again := restoreJSON(t, rules, first.State())
		for _, f := range fs[k:] {
			got = append(got, again.Update(f)...)
		}
		if !sameJSON(got, want) {
			t.Fatalf("restored after frame %d: events %q, want %q", k, summary(got), summary(want))
		}
		if fmt.Sprint(again.Counts()) != fmt.Sprint(whole.Counts()) || !sameJSON(again.State(), whole.State()) {
			t.Fatalf("restored after frame %d: counts %v, want %v", k, again.Counts(), whole.Counts())
		}
	}
}

func restoreJSON(t *testing.T, rules *Rules, s State) *Counter {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	c, err := RestoreCounter(rules, "cam", "k", back)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRestoreRefusesAStateOfOtherRules(t *testing.T) {
	cfg, _ := zonefile.Parse([]byte(doorAndCounter))
	s := State{Tracks: []TrackState{{ID: 1, Label: "person", Lines: make([]LineState, 2), Zones: make([]ZoneState, 1)}}}
	if _, err := RestoreCounter(NewRules(cfg), "cam", "k", s); err == nil {
		t.Fatal("a state with 2 lines restored on rules with 1")
	}
}

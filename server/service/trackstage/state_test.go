package trackstage

import (
	"fmt"
	"slices"
	"testing"

	"github.com/framewire/framewire/server/core"
)

// detections of frame seq: boxes moving at different speeds, one
// appearing every 10 frames and each gone after 25, so that tracks are
// being born, matched and missed at every frame.
func detections(seq int64) []core.Detection {
	var dets []core.Detection
	for k := max(0, seq/10-3); k <= seq/10; k++ {
		age := seq - k*10
		if age >= 25 || age == 7 { // each is missed once, at age 7
			continue
		}
		x := float32(10+k*37%200) + float32(age)*float32(1+k%3)
		dets = append(dets, core.Detection{Label: "person", Score: 0.9, Box: core.Box{X: x, Y: float32(k*13%100) + float32(age*(k%3)), W: 30 + float32(age%4), H: 60}})
	}
	return dets
}

func assign(ts *Stage, seq int64) []int64 {
	dets := detections(seq)
	ts.Assign(seq, dets)
	ids := make([]int64, len(dets))
	for i, d := range dets {
		ids[i] = d.TrackID
	}
	return ids
}

// A stage restored from a Snapshot taken after any frame k gives, from
// k+1 on, the ids of the stage that went on, and the same distinct
// tracks.
func TestRestoredSnapshotGivesTheSameIDs(t *testing.T) {
	const n = 120
	whole := New(0, nil)
	want := make([][]int64, n)
	for seq := range int64(n) {
		want[seq] = assign(whole, seq)
	}
	if whole.tracker.LastID() < 10 {
		t.Fatalf("the scene made %d tracks, want at least 10", whole.tracker.LastID())
	}
	for k := range int64(n) {
		first := New(0, nil)
		for seq := range k {
			assign(first, seq)
		}
		b, ok := first.Snapshot()
		if !ok {
			t.Fatal("no snapshot")
		}
		again := New(0, nil)
		if !again.Restore(b) {
			t.Fatalf("restore after frame %d failed", k)
		}
		for seq := k; seq < n; seq++ {
			if got := assign(again, seq); !slices.Equal(got, want[seq]) {
				t.Fatalf("restored after frame %d: frame %d ids %v, want %v", k, seq, got, want[seq])
			}
		}
		if fmt.Sprint(again.Counts()) != fmt.Sprint(whole.Counts()) {
			t.Fatalf("restored after frame %d: tracks %v, want %v", k, again.Counts(), whole.Counts())
		}
	}
}

// A stage resumed without a replay (ids above the recorded ones, counts
// recorded before) snapshots its counts, which a restored stage goes on
// from, new ids counted once, ids it continues not again.
func TestSnapshotKeepsTheCountsRecordedBefore(t *testing.T) {
	first := New(1000, map[string]int64{"person": 7})
	for seq := range int64(30) {
		assign(first, seq)
	}
	b, _ := first.Snapshot()
	again := New(0, nil)
	if !again.Restore(b) {
		t.Fatal("restore failed")
	}
	for seq := int64(30); seq < 60; seq++ {
		assign(first, seq)
		assign(again, seq)
	}
	if got, want := again.Counts()["person"], first.Counts()["person"]; got != want || got <= 7+4 {
		t.Errorf("restored stage counts %d tracks, the one that went on %d (want equal, above 7 recorded + the first 30 frames' 4)", got, want)
	}
	if New(0, nil).Restore([]byte(`{"tracker":{"last_id":1,"tracks":[{"id":5,"hits":1}]}}`)) {
		t.Error("restored a track id above the last id")
	}
}

package core

import (
	"maps"
	"testing"
)

func TestTrackIDsCountDistinctIDsPerLabel(t *testing.T) {
	var ids TrackIDs
	if got := ids.Counts(); len(got) != 0 {
		t.Errorf("empty: %v, want no labels", got)
	}
	for _, d := range []struct {
		label string
		id    int64
	}{{"person", 3}, {"person", 3}, {"person", 5}, {"dog", 3}, {"dog", 0}, {"car", -1}} {
		ids.Add(d.label, d.id)
	}
	if got, want := ids.Counts(), map[string]int64{"person": 2, "dog": 1}; !maps.Equal(got, want) {
		t.Errorf("counts %v, want %v (the same id twice once, ids <= 0 not at all)", got, want)
	}
}

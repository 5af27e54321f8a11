package core

import (
	"maps"
	"slices"
)

// TrackIDs are the distinct track ids seen, by label. The zero value is
// empty and ready to use; it is not safe for concurrent use.
type TrackIDs struct {
	byLabel map[string]map[int64]bool
}

// Add counts id under label; an id of 0 or less (an untracked detection)
// is not counted.
func (t *TrackIDs) Add(label string, id int64) {
	if id <= 0 {
		return
	}
	if t.byLabel == nil {
		t.byLabel = map[string]map[int64]bool{}
	}
	if t.byLabel[label] == nil {
		t.byLabel[label] = map[int64]bool{}
	}
	t.byLabel[label][id] = true
}

// Counts is the number of distinct ids per label, empty when none.
func (t *TrackIDs) Counts() map[string]int64 {
	counts := make(map[string]int64, len(t.byLabel))
	for label, ids := range t.byLabel {
		counts[label] = int64(len(ids))
	}
	return counts
}

// IDs lists the distinct ids per label, each list sorted.
func (t *TrackIDs) IDs() map[string][]int64 {
	out := make(map[string][]int64, len(t.byLabel))
	for label, ids := range t.byLabel {
		out[label] = slices.Sorted(maps.Keys(ids))
	}
	return out
}

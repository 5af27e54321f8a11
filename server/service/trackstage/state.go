package trackstage

import (
	"encoding/json"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/track"
)

// state is what a checkpoint keeps of a Stage: the tracker and the
// distinct ids per label of the whole run.
type state struct {
	Tracker track.State        `json:"tracker"`
	IDs     map[string][]int64 `json:"ids,omitempty"`
}

// Snapshot is ts's state after the last frame it assigned, to save with
// a counting checkpoint; ok is false when ts cannot say the run's
// distinct ids (it did not adopt a replay: Counts adds this call's ids to
// counts recorded before it), and then nothing is saved.
func (ts *Stage) Snapshot() (b json.RawMessage, ok bool) {
	if ts.recorded != nil {
		return nil, false
	}
	b, err := json.Marshal(state{Tracker: ts.tracker.State(), IDs: ts.ids.IDs()})
	return b, err == nil
}

// Restore puts ts in the state b (from Snapshot), as if it had replayed
// the frames before it; false, ts unchanged, when b is not such a state.
func (ts *Stage) Restore(b json.RawMessage) bool {
	var s state
	if json.Unmarshal(b, &s) != nil {
		return false
	}
	tr, err := track.Restore(track.Config{}, s.Tracker)
	if err != nil {
		return false
	}
	var ids core.TrackIDs
	for label, list := range s.IDs {
		for _, id := range list {
			ids.Add(label, id)
		}
	}
	ts.tracker, ts.ids = tr, ids
	return true
}

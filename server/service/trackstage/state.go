package trackstage

import (
	"encoding/json"
	"maps"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/track"
)

// state is what a checkpoint keeps of a Stage: the tracker, and the
// distinct track ids per label of the run so far, all of them at or
// below the tracker's last id (a number per label, not the ids: the
// checkpoint does not grow with the run).
type state struct {
	Tracker track.State      `json:"tracker"`
	Tracks  map[string]int64 `json:"tracks,omitempty"`
}

// Snapshot is ts's state after the last frame it assigned, to save with
// a counting checkpoint.
func (ts *Stage) Snapshot() (b json.RawMessage, ok bool) {
	b, err := json.Marshal(state{Tracker: ts.tracker.State(), Tracks: ts.Counts()})
	return b, err == nil
}

// Restore puts ts in the state b (from Snapshot), as if it had replayed
// the frames before it: ids from then on above the state's last id are
// counted as new tracks. False, ts unchanged, when b is not such a state.
func (ts *Stage) Restore(b json.RawMessage) bool {
	var s state
	if json.Unmarshal(b, &s) != nil {
		return false
	}
	tr, err := track.Restore(track.Config{}, s.Tracker)
	if err != nil {
		return false
	}
	ts.tracker, ts.ids, ts.recorded, ts.floor = tr, core.TrackIDs{}, maps.Clone(s.Tracks), s.Tracker.LastID
	return true
}

package track

import "fmt"

// State is everything a Tracker carries from one frame to the next, so
// that a tracker restored from it (Restore) gives the ids the saved one
// would have given. Its JSON form keeps every float64 exactly.
type State struct {
	LastID int64        `json:"last_id"`
	Tracks []TrackState `json:"tracks,omitempty"`
}

// TrackState is one track of a State: its id and class, its motion model
// (centre, size, velocity, frame of the last measurement) and its
// matches.
type TrackState struct {
	ID     int64   `json:"id"`
	Class  int     `json:"class"`
	CX     float64 `json:"cx"`
	CY     float64 `json:"cy"`
	W      float64 `json:"w"`
	H      float64 `json:"h"`
	VX     float64 `json:"vx"`
	VY     float64 `json:"vy"`
	Seq    int64   `json:"seq"`
	Hits   int     `json:"hits"`
	Missed int     `json:"missed"`
}

// State is t's state after the last Update.
func (t *Tracker) State() State {
	s := State{LastID: t.lastID}
	for _, o := range t.objects {
		s.Tracks = append(s.Tracks, TrackState{ID: o.id, Class: o.class, CX: o.m.cx, CY: o.m.cy, W: o.m.w, H: o.m.h,
			VX: o.m.vx, VY: o.m.vy, Seq: o.m.seq, Hits: o.hits, Missed: o.missed})
	}
	return s
}

// Restore is a Tracker of cfg (its FirstID ignored) in state s; an error
// says s cannot be a tracker's state.
func Restore(cfg Config, s State) (*Tracker, error) {
	cfg = cfg.withDefaults()
	t := &Tracker{cfg: cfg, lastID: s.LastID}
	for _, ts := range s.Tracks {
		if ts.ID <= 0 || ts.ID > s.LastID || ts.Hits < 1 || ts.Missed < 0 {
			return nil, fmt.Errorf("tracker state: track %d (of ids up to %d) with %d hits and %d misses", ts.ID, s.LastID, ts.Hits, ts.Missed)
		}
		t.objects = append(t.objects, ts.object())
	}
	return t, nil
}

// object is the track ts describes.
func (ts TrackState) object() *object {
	m := motion{cx: ts.CX, cy: ts.CY, w: ts.W, h: ts.H, vx: ts.VX, vy: ts.VY, seq: ts.Seq}
	return &object{id: ts.ID, class: ts.Class, m: m, hits: ts.Hits, missed: ts.Missed}
}

package events

import (
	"slices"

	"github.com/framewire/framewire/proto/record"
)

// trackState is what the counter keeps of one track (one object, under
// its latest id).
type trackState struct {
	id    int64
	prev  []int64 // earlier ids of the same object, oldest first
	label string
	// lastSeq and lastT are the frame the track was last seen in and its
	// time; anchor its anchor then, size the larger side of its box.
	lastSeq, lastT int64
	anchor         point
	size           float64
	lines          []lineSide
	zones          []zoneVisit
}

func newTrackState(label string, lines, zones int) *trackState {
	return &trackState{label: label, lines: make([]lineSide, lines), zones: make([]zoneVisit, zones)}
}

func (ts *trackState) clone() *trackState {
	cp := *ts
	cp.prev, cp.lines, cp.zones = slices.Clone(ts.prev), slices.Clone(ts.lines), slices.Clone(ts.zones)
	return &cp
}

// mark is a frame and its time (microseconds).
type mark struct{ seq, t int64 }

// lineSide is a track's side of one line: the side it is sure of (0
// until it has one) and the other side it has been seen on since (streak
// frames in a row, from since).
type lineSide struct {
	side, pending int
	streak        int
	since         int64
}

// observe takes the anchor p at frame fr, with hysteresis n; ok when the
// track has crossed l, in direction dir, since frame since.
func (ls *lineSide) observe(l lineRule, p point, fr frameRef, n int) (dir string, since int64, ok bool) {
	s, within := side(l.from, l.to, p)
	if !within {
		*ls = lineSide{}
		return "", 0, false
	}
	if s == 0 || s == ls.side {
		ls.streak = 0
		return "", 0, false
	}
	if ls.streak == 0 || s != ls.pending {
		ls.pending, ls.streak, ls.since = s, 0, fr.f.Seq
	}
	ls.streak++
	if ls.streak < n {
		return "", 0, false
	}
	old := ls.side
	ls.side, ls.streak = s, 0
	if old == 0 {
		return "", 0, false
	}
	if s > 0 {
		return record.DirectionIn, ls.since, true
	}
	return record.DirectionOut, ls.since, true
}

// zoneVisit is a track's place in one zone: inside or not (sure), the
// other state seen streak frames in a row from since, and the visit's
// first frame while inside.
type zoneVisit struct {
	inside  bool
	streak  int
	since   mark
	entered mark
}

// observe takes whether the anchor is in the zone at frame fr, with
// hysteresis n; changed when the track is now surely in (out), since the
// frame since.
func (v *zoneVisit) observe(in bool, fr frameRef, n int) (changed bool, since mark) {
	if in == v.inside {
		v.streak = 0
		return false, mark{}
	}
	if v.streak == 0 {
		v.since = mark{seq: fr.f.Seq, t: fr.t}
	}
	v.streak++
	if v.streak < n {
		return false, mark{}
	}
	v.inside, v.streak = in, 0
	if in {
		v.entered = v.since
	}
	return true, v.since
}

// leave fills e, the visit's zone_left, with its entry and dwell up to
// left, and ends the visit.
func (v *zoneVisit) leave(e *record.Event, left mark) {
	entered, frames, ms := v.entered.seq, left.seq-v.entered.seq, (left.t-v.entered.t)/1000
	e.EnteredSeq, e.DwellFrames, e.DwellMs = &entered, &frames, &ms
	*v = zoneVisit{}
}

package events

import (
	"fmt"
	"maps"
	"slices"

	"github.com/framewire/framewire/proto/record"
)

// State is everything a Counter carries from one frame to the next: its
// tracks (sides of each line with their hysteresis, zone visits, open
// dwells) and its totals, so that a counter restored from it
// (RestoreCounter) gives the events the saved one would have given. Its
// JSON form keeps every number exactly.
type State struct {
	Tracks []TrackState   `json:"tracks,omitempty"`
	Counts []record.Count `json:"counts,omitempty"`
}

// TrackState is one track of a State.
type TrackState struct {
	ID      int64       `json:"id"`
	Prev    []int64     `json:"prev,omitempty"`
	Label   string      `json:"label"`
	LastSeq int64       `json:"last_seq"`
	LastT   int64       `json:"last_t"`
	Anchor  [2]float64  `json:"anchor"`
	Size    float64     `json:"size"`
	Lines   []LineState `json:"lines"`
	Zones   []ZoneState `json:"zones"`
}

// LineState is a track's side of one line (lineSide).
type LineState struct {
	Side    int   `json:"side"`
	Pending int   `json:"pending"`
	Streak  int   `json:"streak"`
	Since   int64 `json:"since"`
}

// ZoneState is a track's visit of one zone (zoneVisit); marks are
// [seq, time in µs].
type ZoneState struct {
	Inside  bool     `json:"inside"`
	Streak  int      `json:"streak"`
	Since   [2]int64 `json:"since"`
	Entered [2]int64 `json:"entered"`
}

// State is c's state after the last Update, its tracks by id.
func (c *Counter) State() State {
	s := State{Counts: c.tally.Counts()}
	for _, id := range slices.Sorted(maps.Keys(c.tracks)) {
		s.Tracks = append(s.Tracks, c.tracks[id].state())
	}
	return s
}

func (ts *trackState) state() TrackState {
	out := TrackState{ID: ts.id, Prev: slices.Clone(ts.prev), Label: ts.label, LastSeq: ts.lastSeq, LastT: ts.lastT,
		Anchor: [2]float64{ts.anchor.x, ts.anchor.y}, Size: ts.size}
	for _, l := range ts.lines {
		out.Lines = append(out.Lines, LineState{Side: l.side, Pending: l.pending, Streak: l.streak, Since: l.since})
	}
	for _, z := range ts.zones {
		out.Zones = append(out.Zones, ZoneState{Inside: z.inside, Streak: z.streak,
			Since: [2]int64{z.since.seq, z.since.t}, Entered: [2]int64{z.entered.seq, z.entered.t}})
	}
	return out
}

// RestoreCounter is NewCounter(rules, stream, runKey) in state s; an
// error says s is not a state of a counter by rules.
func RestoreCounter(rules *Rules, stream, runKey string, s State) (*Counter, error) {
	c := NewCounter(rules, stream, runKey)
	c.tally = record.TallyOf(s.Counts)
	for _, t := range s.Tracks {
		if len(t.Lines) != len(rules.lines) || len(t.Zones) != len(rules.zones) || c.tracks[t.ID] != nil {
			return nil, fmt.Errorf("counter state: track %d with %d lines and %d zones, the rules have %d and %d",
				t.ID, len(t.Lines), len(t.Zones), len(rules.lines), len(rules.zones))
		}
		c.tracks[t.ID] = restoreTrack(t)
	}
	return c, nil
}

func restoreTrack(t TrackState) *trackState {
	return &trackState{id: t.ID, prev: slices.Clone(t.Prev), label: t.Label, lastSeq: t.LastSeq, lastT: t.LastT,
		anchor: point{t.Anchor[0], t.Anchor[1]}, size: t.Size, lines: restoreLines(t.Lines), zones: restoreZones(t.Zones)}
}

func restoreLines(ls []LineState) []lineSide {
	out := make([]lineSide, len(ls))
	for i, l := range ls {
		out[i] = lineSide{side: l.Side, pending: l.Pending, streak: l.Streak, since: l.Since}
	}
	return out
}

func restoreZones(zs []ZoneState) []zoneVisit {
	out := make([]zoneVisit, len(zs))
	for i, z := range zs {
		out[i] = zoneVisit{inside: z.Inside, streak: z.Streak, since: mark{z.Since[0], z.Since[1]}, entered: mark{z.Entered[0], z.Entered[1]}}
	}
	return out
}

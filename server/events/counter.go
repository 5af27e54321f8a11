package events

import (
	"maps"
	"math"
	"slices"

	"github.com/framewire/framewire/proto/record"
)

// Counter turns a stream's frames, in frame order, into events and
// counts. Not safe for concurrent use.
type Counter struct {
	rules          *Rules
	stream, runKey string
	tracks         map[int64]*trackState
	tally          record.Tally
}

// NewCounter counts by rules for stream; runKey names the run in the
// events' ids.
func NewCounter(rules *Rules, stream, runKey string) *Counter {
	return &Counter{rules: rules, stream: stream, runKey: runKey, tracks: map[int64]*trackState{}}
}

// Rules are what c counts by.
func (c *Counter) Rules() *Rules { return c.rules }

// Update takes the next frame's record and returns its events, in order:
// the tracks seen before in the order of the frame's detections, then
// the new ones, then the tracks lost at this frame by id; each by its
// lines, then its zones. A failed frame (Error set) sees nothing.
func (c *Counter) Update(f record.Frame) []record.Event {
	if f.Error != "" {
		return nil
	}
	fr := frameRef{f: f, t: frameTimeUs(f)}
	var evs []record.Event
	var fresh []record.Box
	seen := map[int64]bool{}
	for _, d := range f.Detections {
		if d.TrackID <= 0 || seen[d.TrackID] {
			continue
		}
		seen[d.TrackID] = true
		if ts := c.tracks[d.TrackID]; ts != nil {
			evs = c.observe(evs, ts, d, fr)
		} else {
			fresh = append(fresh, d)
		}
	}
	for _, d := range fresh {
		evs = c.observe(evs, c.start(d, f.Seq), d, fr)
	}
	evs = c.expire(evs, fr)
	for _, e := range evs {
		c.tally.Add(e)
	}
	return evs
}

// frameRef is the frame being counted and its time.
type frameRef struct {
	f record.Frame
	t int64 // microseconds
}

// start is the state of a track seen for the first time: a vanished
// track's, when this is the same object (see the package doc), else new.
func (c *Counter) start(d record.Box, seq int64) *trackState {
	p := anchorOf(c.rules.cfg.Anchor, d.Box)
	var best *trackState
	bestDist := math.Inf(1)
	for _, id := range slices.Sorted(maps.Keys(c.tracks)) {
		ts := c.tracks[id]
		if ts.label != d.Label || ts.lastSeq >= seq || seq-ts.lastSeq > c.rules.cfg.RejoinFrames {
			continue
		}
		if dist := math.Hypot(p.x-ts.anchor.x, p.y-ts.anchor.y); dist <= ts.size && dist < bestDist {
			best, bestDist = ts, dist
		}
	}
	if best == nil {
		best = newTrackState(d.Label, len(c.rules.lines), len(c.rules.zones))
	} else {
		delete(c.tracks, best.id)
		best.prev = append(best.prev, best.id)
	}
	best.id = d.TrackID
	c.tracks[d.TrackID] = best
	return best
}

// observe moves ts to detection d of frame fr and appends its events.
func (c *Counter) observe(evs []record.Event, ts *trackState, d record.Box, fr frameRef) []record.Event {
	p := anchorOf(c.rules.cfg.Anchor, d.Box)
	ts.lastSeq, ts.lastT, ts.anchor, ts.size = fr.f.Seq, fr.t, p, float64(max(d.Box[2], d.Box[3]))
	n := c.rules.cfg.Hysteresis
	for i, l := range c.rules.lines {
		if !applies(l.classes, ts.label) {
			continue
		}
		if dir, since, ok := ts.lines[i].observe(l, p, fr, n); ok {
			e := c.event(ts, fr, l.name, record.KindLineCrossed, p, since)
			e.Direction = dir
			e.ID = eventID(c.runKey, ts.id, fr.f.Seq, l.name, e.Kind+"/"+dir)
			evs = append(evs, e)
		}
	}
	for i, z := range c.rules.zones {
		if applies(z.classes, ts.label) {
			evs = c.observeZone(evs, ts, i, p, fr)
		}
	}
	return evs
}

// observeZone appends the event, if any, of track ts's anchor p in zone i.
func (c *Counter) observeZone(evs []record.Event, ts *trackState, i int, p point, fr frameRef) []record.Event {
	z := c.rules.zones[i]
	v := &ts.zones[i]
	changed, since := v.observe(inside(z.poly, p), fr, c.rules.cfg.Hysteresis)
	if !changed {
		return evs
	}
	if v.inside {
		return append(evs, c.event(ts, fr, z.name, record.KindZoneEntered, p, since.seq))
	}
	e := c.event(ts, fr, z.name, record.KindZoneLeft, p, since.seq)
	v.leave(&e, since)
	return append(evs, e)
}

// event is the fact kind about ts on rule at frame fr, its id set.
func (c *Counter) event(ts *trackState, fr frameRef, rule, kind string, p point, since int64) record.Event {
	return record.Event{
		ID: eventID(c.runKey, ts.id, fr.f.Seq, rule, kind), Stream: c.stream, Kind: kind, Rule: rule,
		Seq: fr.f.Seq, CaptureUnixNano: fr.f.CaptureUnixNano, PositionUs: fr.f.PositionUs, Source: fr.f.File,
		TrackID: ts.id, PreviousTrackIDs: slices.Clone(ts.prev), Label: ts.label,
		Point: [2]float32{float32(p.x), float32(p.y)}, SinceSeq: since,
	}
}

// expire forgets the tracks gone longer than the rules' rejoin_frames at
// frame fr: each zone such a track was in is left (lost).
func (c *Counter) expire(evs []record.Event, fr frameRef) []record.Event {
	for _, id := range slices.Sorted(maps.Keys(c.tracks)) {
		ts := c.tracks[id]
		if fr.f.Seq-ts.lastSeq <= c.rules.cfg.RejoinFrames {
			continue
		}
		for i, z := range c.rules.zones {
			v := &ts.zones[i]
			if !v.inside {
				continue
			}
			e := c.event(ts, fr, z.name, record.KindZoneLeft, ts.anchor, ts.lastSeq)
			e.Lost = true
			v.leave(&e, mark{seq: ts.lastSeq, t: ts.lastT})
			evs = append(evs, e)
		}
		delete(c.tracks, id)
	}
	return evs
}

// Counts are the running totals per rule and class.
func (c *Counter) Counts() []record.Count { return c.tally.Counts() }

// Clone is a copy of c that later Updates to either do not change, so
// that a frame's events are kept only once the frame is recorded.
func (c *Counter) Clone() *Counter {
	cp := &Counter{rules: c.rules, stream: c.stream, runKey: c.runKey,
		tracks: make(map[int64]*trackState, len(c.tracks)), tally: c.tally.Clone()}
	for id, ts := range c.tracks {
		cp.tracks[id] = ts.clone()
	}
	return cp
}

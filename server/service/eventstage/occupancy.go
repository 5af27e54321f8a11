package eventstage

import (
	"slices"

	"github.com/framewire/framewire/proto/record"
)

// Hooks hear what a Stage writes; a nil func hears nothing. They run on
// the stream's Commit goroutine and must not block.
type Hooks struct {
	// Written: new events of stream are in its events file, synced (so
	// that their delivery starts at once).
	Written func(stream string)
	// Occupancy: a zone's occupancy after a frame that changed it, and
	// every zone's when the stream opens.
	Occupancy func(record.Occupancy)
}

func (h Hooks) written(stream string) {
	if h.Written != nil {
		h.Written(stream)
	}
}

// tellOccupancy tells the hook the occupancy of the zones evs entered or
// left, or of every zone when evs is nil.
func (cs *Stage) tellOccupancy(evs []record.Event) {
	if cs.opts.Hooks.Occupancy == nil {
		return
	}
	counts := cs.counter.Counts()
	for _, z := range cs.counter.Rules().Config().Zones {
		if evs == nil || slices.ContainsFunc(evs, onZone(z.Name)) {
			cs.opts.Hooks.Occupancy(cs.occupancy(z.Name, z.Classes, counts))
		}
	}
}

// onZone says whether an event is zone's entry or exit.
func onZone(zone string) func(record.Event) bool {
	return func(e record.Event) bool { return e.Rule == zone && e.Kind != record.KindLineCrossed }
}

// occupancy is zone's, counting classes (empty: every class), from
// counts, at the last recorded frame.
func (cs *Stage) occupancy(zone string, classes []string, counts []record.Count) record.Occupancy {
	o := record.Occupancy{Stream: cs.stream, Zone: zone, Seq: cs.last.Seq,
		CaptureUnixNano: cs.last.CaptureUnixNano, PositionUs: cs.last.PositionUs, Classes: zeros(classes)}
	for _, c := range counts {
		if c.Kind == record.CountZone && c.Rule == zone {
			o.Count += c.Inside
			if o.Classes != nil {
				o.Classes[c.Label] += c.Inside
			}
		}
	}
	return o
}

// zeros is 0 for each of classes; nil when there are none.
func zeros(classes []string) map[string]int64 {
	if len(classes) == 0 {
		return nil
	}
	m := make(map[string]int64, len(classes))
	for _, c := range classes {
		m[c] = 0
	}
	return m
}

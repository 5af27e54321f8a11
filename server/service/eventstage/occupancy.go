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
		if evs == nil || slices.ContainsFunc(evs, func(e record.Event) bool { return e.Rule == z.Name && e.Kind != record.KindLineCrossed }) {
			cs.opts.Hooks.Occupancy(cs.occupancy(z.Name, z.Classes, counts))
		}
	}
}

// occupancy is zone's, counting classes (empty: every class), from
// counts, at the last recorded frame.
func (cs *Stage) occupancy(zone string, classes []string, counts []record.Count) record.Occupancy {
	o := record.Occupancy{Stream: cs.stream, Zone: zone, Seq: cs.last.Seq,
		CaptureUnixNano: cs.last.CaptureUnixNano, PositionUs: cs.last.PositionUs}
	if len(classes) > 0 {
		o.Classes = make(map[string]int64, len(classes))
		for _, c := range classes {
			o.Classes[c] = 0
		}
	}
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

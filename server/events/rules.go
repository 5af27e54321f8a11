package events

import (
	"slices"

	"github.com/framewire/framewire/internal/zonefile"
)

// Rules are a stream's lines and zones, ready for counting.
type Rules struct {
	cfg   zonefile.Config
	lines []lineRule
	zones []zoneRule
}

type lineRule struct {
	name     string
	from, to point
	classes  []string // empty: every class
}

type zoneRule struct {
	name    string
	poly    []point
	classes []string
}

// NewRules compiles c, which has been checked (zonefile.Parse).
func NewRules(c zonefile.Config) *Rules {
	r := &Rules{cfg: c}
	for _, l := range c.Lines {
		r.lines = append(r.lines, lineRule{name: l.Name, from: toPoint(l.From), to: toPoint(l.To), classes: l.Classes})
	}
	for _, z := range c.Zones {
		zr := zoneRule{name: z.Name, classes: z.Classes}
		for _, p := range z.Polygon {
			zr.poly = append(zr.poly, toPoint(p))
		}
		r.zones = append(r.zones, zr)
	}
	return r
}

// Config is what r was made from.
func (r *Rules) Config() zonefile.Config { return r.cfg }

// applies says whether a rule with classes counts label.
func applies(classes []string, label string) bool {
	return len(classes) == 0 || slices.Contains(classes, label)
}

package record

import (
	"cmp"
	"slices"
)

// Tally sums events into counts per rule and class. The zero value is
// empty and ready; not safe for concurrent use.
type Tally struct {
	counts map[tallyKey]*Count
}

type tallyKey struct{ kind, rule, label string }

// Add counts e.
func (t *Tally) Add(e Event) {
	kind := CountZone
	if e.Kind == KindLineCrossed {
		kind = CountLine
	}
	c := t.count(kind, e.Rule, e.Label)
	switch {
	case e.Kind == KindLineCrossed && e.Direction == DirectionIn:
		c.In++
	case e.Kind == KindLineCrossed:
		c.Out++
	case e.Kind == KindZoneEntered:
		c.Entered++
		c.Inside++
	case e.Kind == KindZoneLeft:
		c.Left++
		c.Inside--
	}
}

func (t *Tally) count(kind, rule, label string) *Count {
	if t.counts == nil {
		t.counts = map[tallyKey]*Count{}
	}
	k := tallyKey{kind, rule, label}
	c := t.counts[k]
	if c == nil {
		c = &Count{Rule: rule, Kind: kind, Label: label}
		t.counts[k] = c
	}
	return c
}

// Counts lists the counts by kind (lines first), rule and class.
func (t *Tally) Counts() []Count {
	out := make([]Count, 0, len(t.counts))
	for _, c := range t.counts {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Label, b.Label))
	})
	return out
}

// Clone is a copy of t that later Adds to either do not change.
func (t *Tally) Clone() Tally {
	c := Tally{counts: make(map[tallyKey]*Count, len(t.counts))}
	for k, v := range t.counts {
		cp := *v
		c.counts[k] = &cp
	}
	return c
}

// TallyOf is a tally holding counts (as Counts returned them).
func TallyOf(counts []Count) Tally {
	t := Tally{counts: make(map[tallyKey]*Count, len(counts))}
	for _, c := range counts {
		cp := c
		t.counts[tallyKey{c.Kind, c.Rule, c.Label}] = &cp
	}
	return t
}

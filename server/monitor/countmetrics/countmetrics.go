// Package countmetrics shows the running counts of streams with counting
// rules (zones) as Prometheus gauges: line crossings by direction, zone
// entries, exits and occupancy, by stream, rule and class. They are the
// run's totals, resumed runs included, so gauges (set), not counters.
// The labels stay bounded: streams as the monitor keeps them, rules as a
// zones file allows (zonefile.MaxRules), classes as the model has.
package countmetrics

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/framewire/framewire/proto/record"
)

// Gauges are the count gauges. Safe for concurrent use.
type Gauges struct {
	crossings, entries, exits, occupancy *prometheus.GaugeVec
}

// New makes the gauges and registers them with reg.
func New(reg prometheus.Registerer) *Gauges {
	g := &Gauges{
		crossings: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "framewire_line_crossings",
			Help: "Tracks that crossed a line in the run so far, by stream, line, direction (in, out) and class."},
			[]string{"stream", "line", "direction", "class"}),
		entries: zoneGauge("framewire_zone_entries", "Tracks that entered a zone in the run so far, by stream, zone and class."),
		exits:   zoneGauge("framewire_zone_exits", "Tracks that left a zone in the run so far, by stream, zone and class."),
		occupancy: zoneGauge("framewire_zone_occupancy",
			"Tracks in a zone now (entered and not yet left), by stream, zone and class."),
	}
	reg.MustRegister(g.crossings, g.entries, g.exits, g.occupancy)
	return g
}

func zoneGauge(name, help string) *prometheus.GaugeVec {
	return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, []string{"stream", "zone", "class"})
}

// Set shows stream's counts.
func (g *Gauges) Set(stream string, counts []record.Count) {
	for _, c := range counts {
		if c.Kind == record.CountLine {
			g.crossings.WithLabelValues(stream, c.Rule, record.DirectionIn, c.Label).Set(float64(c.In))
			g.crossings.WithLabelValues(stream, c.Rule, record.DirectionOut, c.Label).Set(float64(c.Out))
			continue
		}
		g.entries.WithLabelValues(stream, c.Rule, c.Label).Set(float64(c.Entered))
		g.exits.WithLabelValues(stream, c.Rule, c.Label).Set(float64(c.Left))
		g.occupancy.WithLabelValues(stream, c.Rule, c.Label).Set(float64(c.Inside))
	}
}

// Forget removes stream's series.
func (g *Gauges) Forget(stream string) {
	for _, v := range []*prometheus.GaugeVec{g.crossings, g.entries, g.exits, g.occupancy} {
		v.DeletePartialMatch(prometheus.Labels{"stream": stream})
	}
}

// Latest holds a stream's latest counts. Safe for concurrent use; the
// zero value holds none.
type Latest struct {
	p atomic.Pointer[[]record.Count]
}

// Store keeps c, which must not change after.
func (l *Latest) Store(c []record.Count) { l.p.Store(&c) }

// Load is the counts last stored, nil for none.
func (l *Latest) Load() []record.Count {
	if p := l.p.Load(); p != nil {
		return *p
	}
	return nil
}

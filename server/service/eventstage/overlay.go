package eventstage

import (
	"github.com/framewire/framewire/internal/zonefile"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
)

// Overlay is what the frame being committed shows: the rules and the
// counts after it.
func (cs *Stage) Overlay() core.Overlay {
	c := cs.counter
	if cs.next != nil {
		c = cs.next
	}
	return overlayOf(c.Rules().Config(), c.Counts())
}

// overlayOf draws cfg's rules with counts summed over the classes.
func overlayOf(cfg zonefile.Config, counts []record.Count) core.Overlay {
	var o core.Overlay
	for _, l := range cfg.Lines {
		ol := core.OverlayLine{Name: l.Name, From: [2]float64{l.From[0], l.From[1]}, To: [2]float64{l.To[0], l.To[1]}}
		for _, c := range counts {
			if c.Kind == record.CountLine && c.Rule == l.Name {
				ol.In, ol.Out = ol.In+c.In, ol.Out+c.Out
			}
		}
		o.Lines = append(o.Lines, ol)
	}
	for _, z := range cfg.Zones {
		oz := core.OverlayZone{Name: z.Name}
		for _, p := range z.Polygon {
			oz.Polygon = append(oz.Polygon, [2]float64{p[0], p[1]})
		}
		for _, c := range counts {
			if c.Kind == record.CountZone && c.Rule == z.Name {
				oz.Inside, oz.Entered = oz.Inside+c.Inside, oz.Entered+c.Entered
			}
		}
		o.Zones = append(o.Zones, oz)
	}
	return o
}

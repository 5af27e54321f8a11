package countmetrics

import (
	"fmt"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/framewire/framewire/proto/record"
)

// series lists reg's series as "name{label values} value", sorted.
func series(t *testing.T, reg *prometheus.Registry) []string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, l.GetValue())
			}
			out = append(out, fmt.Sprintf("%s%v %v", mf.GetName(), ls, m.GetGauge().GetValue()))
		}
	}
	slices.Sort(out)
	return out
}

func TestGaugesShowAndForgetAStreamsCounts(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := New(reg)
	g.Set("cam", []record.Count{
		{Kind: record.CountLine, Rule: "door", Label: "person", In: 2, Out: 1},
		{Kind: record.CountZone, Rule: "shop", Label: "person", Entered: 3, Left: 1, Inside: 2},
	})
	want := []string{
		"framewire_line_crossings[person in door cam] 2",
		"framewire_line_crossings[person out door cam] 1",
		"framewire_zone_entries[person cam shop] 3",
		"framewire_zone_exits[person cam shop] 1",
		"framewire_zone_occupancy[person cam shop] 2",
	}
	if got := series(t, reg); !slices.Equal(got, want) {
		t.Errorf("series %q, want %q", got, want)
	}
	g.Forget("cam")
	if got := series(t, reg); len(got) != 0 {
		t.Errorf("after Forget: %q, want none", got)
	}
	var l Latest
	if l.Load() != nil {
		t.Error("empty Latest holds counts")
	}
}

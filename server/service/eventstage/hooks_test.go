package eventstage_test

import (
	"slices"
	"testing"

	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/service/eventstage"
)

// The hooks hear each frame that wrote events (once), and the occupancy
// of every zone at open and of a zone after each frame that changed it,
// which is then the counts' inside.
func TestHooksHearEventsAndOccupancy(t *testing.T) {
	dir := t.TempDir()
	var written []string
	var occ []record.Occupancy
	c := openHooked(t, dir, eventstageHooks(&written, &occ))
	defer c.out.Close()
	if len(occ) != 1 || occ[0].Zone != "desk" || occ[0].Count != 0 || occ[0].Seq != 0 {
		t.Fatalf("at open: occupancy %+v, want the desk's, 0", occ)
	}
	var framesWithEvents int
	var inside []int64
	for seq := range int64(80) {
		before := len(written)
		c.feed(t, seq, seq+1)
		if len(written) > before {
			framesWithEvents++
		}
		if n := len(occ); n > 1 && occ[n-1].Seq == seq {
			inside = append(inside, occ[n-1].Count)
		}
	}
	if len(written) != framesWithEvents || len(written) == 0 || slices.ContainsFunc(written, func(s string) bool { return s != "cam" }) {
		t.Errorf("Written heard %q, want \"cam\" once for each of the %d frames with events", written, framesWithEvents)
	}
	if len(inside) < 4 || !slices.Contains(inside, 1) || !slices.Contains(inside, 0) {
		t.Errorf("desk occupancy went %v, want changes between 0 and 1 and more", inside)
	}
	last := occ[len(occ)-1]
	for _, cnt := range c.stage.Counts() {
		if cnt.Rule == "desk" && cnt.Inside != last.Count {
			t.Errorf("last occupancy %d, counts say %d inside", last.Count, cnt.Inside)
		}
	}
}

func eventstageHooks(written *[]string, occ *[]record.Occupancy) eventstage.Hooks {
	return eventstage.Hooks{
		Written:   func(s string) { *written = append(*written, s) },
		Occupancy: func(o record.Occupancy) { *occ = append(*occ, o) },
	}
}

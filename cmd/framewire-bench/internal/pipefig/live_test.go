package pipefig

import (
	"testing"
	"time"
)

func TestDriftWindows(t *testing.T) {
	var ss []liveSample
	for i := range 30 {
		ss = append(ss, liveSample{at: time.Duration(i) * time.Second, latency: time.Duration(i) * time.Millisecond})
	}
	first, last := driftWindows(ss, 30*time.Second)
	if len(first) != 10 || len(last) != 10 || first[9] != 9*time.Millisecond || last[0] != 20*time.Millisecond {
		t.Errorf("first %v last %v", first, last)
	}
	if f, l := driftWindows(ss, 15*time.Second); f != nil || l != nil {
		t.Error("a 15s run gave drift windows")
	}
}

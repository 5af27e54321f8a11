package service

import (
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/serving"
)

// counting adds one track to every summary.
type counting struct{ serving.Session }

func (counting) Summarize(sum *pb.StreamSummary) { sum.Tracks = map[string]int64{"person": 1} }

// A session behind the stream limit still adds to the summary.
func TestSlotSessionPassesTheSummaryOn(t *testing.T) {
	var s serving.Session = &slotSession{Session: counting{}}
	sz, ok := s.(serving.Summarizer)
	if !ok {
		t.Fatal("slotSession hides Summarize")
	}
	sum := &pb.StreamSummary{}
	sz.Summarize(sum)
	if sum.Tracks["person"] != 1 {
		t.Errorf("tracks %v, want person 1", sum.Tracks)
	}
}

func TestConfFloor(t *testing.T) {
	for _, c := range []struct{ def, min, want float32 }{
		{0.4, 0.05, 0.05}, {0.4, 0, 0.4}, {0.4, 0.6, 0.4}, {0, 0.05, 0},
	} {
		if got := ConfFloor(c.def, c.min); got != c.want {
			t.Errorf("ConfFloor(%v, %v) = %v, want %v", c.def, c.min, got, c.want)
		}
	}
}

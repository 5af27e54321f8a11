package service

import (
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream/serving"
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

package detect

import "testing"

func TestNMS(t *testing.T) {
	cands := []candidate{
		{0, 0, 10, 10, 0.5, 0},
		{1, 1, 11, 11, 0.9, 0},   // overlaps the first heavily, higher score
		{1, 1, 11, 11, 0.8, 1},   // same place, other class: kept
		{50, 50, 60, 60, 0.3, 0}, // far away: kept
	}
	kept := nms(cands, 0.5)
	if len(kept) != 3 || kept[0].score != 0.9 || kept[1].score != 0.8 || kept[2].score != 0.3 {
		t.Errorf("nms kept %+v", kept)
	}
	if got := nms(nil, 0.5); len(got) != 0 {
		t.Errorf("nms(nil) = %v", got)
	}
}

package nms

import "testing"

func TestSuppress(t *testing.T) {
	cands := []Candidate{
		{0, 0, 10, 10, 0.5, 0},
		{1, 1, 11, 11, 0.9, 0},   // overlaps the first heavily, higher score
		{1, 1, 11, 11, 0.8, 1},   // same place, other class: kept
		{50, 50, 60, 60, 0.3, 0}, // far away: kept
	}
	kept := Suppress(cands, 0.5)
	if len(kept) != 3 || kept[0].Score != 0.9 || kept[1].Score != 0.8 || kept[2].Score != 0.3 {
		t.Errorf("Suppress kept %+v", kept)
	}
	if got := Suppress(nil, 0.5); len(got) != 0 {
		t.Errorf("Suppress(nil) = %v", got)
	}
}

// BenchmarkSuppress is non-maximum suppression of 200 overlapping
// candidates of 4 classes (more than a busy frame yields above the
// threshold).
func BenchmarkSuppress(b *testing.B) {
	src := make([]Candidate, 200)
	for i := range src {
		x := float32(i % 20 * 15)
		y := float32(i / 20 * 15)
		src[i] = Candidate{X1: x, Y1: y, X2: x + 40, Y2: y + 40, Score: float32(i%17) / 17, Class: i % 4}
	}
	cands := make([]Candidate, len(src))
	b.ReportAllocs()
	for b.Loop() {
		copy(cands, src)
		Suppress(cands, 0.5)
	}
}

package coco

import "testing"

func TestLabelsAndCategories(t *testing.T) {
	l := Labels()
	if len(l) != 80 || l[0] != "person" || l[9] != "traffic light" || l[79] != "toothbrush" {
		t.Fatalf("%d labels, first %q, 10th %q, last %q; want 80, person, traffic light, toothbrush", len(l), l[0], l[9], l[79])
	}
	for _, c := range []struct {
		class int
		label string
		id    int
		ok    bool
	}{{0, "person", 1, true}, {11, "stop sign", 13, true}, {79, "toothbrush", 90, true}, {0, "face", 0, false}, {80, "x", 0, false}, {-1, "person", 0, false}} {
		if id, ok := CategoryID(c.class, c.label); id != c.id || ok != c.ok {
			t.Errorf("CategoryID(%d, %q) = %d, %v; want %d, %v", c.class, c.label, id, ok, c.id, c.ok)
		}
	}
}

package yolo

import (
	"slices"
	"testing"
)

func TestParseNames(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{`{0: 'person', 1: 'bicycle', 2: 'car'}`, []string{"person", "bicycle", "car"}},
		{`{0: "o'clock", 1: 'traffic light'}`, []string{"o'clock", "traffic light"}},
		{`{1: 'b', 0: 'a',}`, []string{"a", "b"}},
		{" {\n 0 : 'a' ,\n\t1:'b' } ", []string{"a", "b"}},
		{`{"0": "a", "1": "b"}`, []string{"a", "b"}},
		{`['a', "b"]`, []string{"a", "b"}},
		{`{0: 'caf\xe9', 1: '\u00e9t\u00e9', 2: 'back\\slash', 3: 'it\'s', 4: 'naïve'}`, []string{"café", "été", `back\slash`, "it's", "naïve"}},
		{`{0: 'a\qb'}`, []string{`a\qb`}},
	} {
		got, err := parseNames(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("parseNames(%s) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestParseNamesRefusesBrokenLists(t *testing.T) {
	for _, in := range []string{
		``, `{}`, `{0: 'a', 2: 'c'}`, `{0: 'a', 0: 'b'}`, `{0: 'a'`, `{0: 'a}`, `{0 'a'}`,
		`{a: 'x'}`, `{0: 'a'} extra`, `{0: 'a' 1: 'b'}`, `{0: person}`, `{0: 'a\x4'}`, `-1`,
	} {
		if got, err := parseNames(in); err == nil {
			t.Errorf("parseNames(%s) = %q, want an error", in, got)
		}
	}
}

func TestParseLayout(t *testing.T) {
	for _, c := range []struct {
		dims []int
		size int
		want layout
	}{
		{[]int{1, 84, 8400}, 640, layout{anchors: 8400, classes: 80}},             // YOLOv8/11 COCO at 640
		{[]int{1, 25200, 85}, 640, layout{v5: true, anchors: 25200, classes: 80}}, // YOLOv5 COCO at 640
		{[]int{1, 7, 2100}, 320, layout{anchors: 2100, classes: 3}},
		{[]int{1, 6300, 8}, 320, layout{v5: true, anchors: 6300, classes: 3}},
		// A YOLOv8 head with many classes and few cells still matches the cells.
		{[]int{1, 2104, 2100}, 320, layout{anchors: 2100, classes: 2100}},
		// Other heads (a P6 model: strides 8..64) go by the longer side.
		{[]int{84, 8500}, 640, layout{anchors: 8500, classes: 80}},
		{[]int{1, 1, 25500, 85}, 640, layout{v5: true, anchors: 25500, classes: 80}},
	} {
		got, err := parseLayout(c.dims, c.size)
		if err != nil || got != c.want {
			t.Errorf("parseLayout(%v, %d) = %+v, %v; want %+v", c.dims, c.size, got, err, c.want)
		}
	}
	for _, dims := range [][]int{{1, 100, 100}, {1, 4, 8400}, {1, 8400, 5}, {8400}, {2, 84, 8400}, {1, 3, 4, 5}} {
		if got, err := parseLayout(dims, 640); err == nil {
			t.Errorf("parseLayout(%v) = %+v, want an error (ambiguous or not YOLO)", dims, got)
		}
	}
}

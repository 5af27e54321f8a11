package zonefile

import (
	"strings"
	"testing"
)

func TestParseFillsDefaults(t *testing.T) {
	c, err := Parse([]byte(`
lines:
  - name: door
    from: [384, 0]
    to: [384, 576]
    classes: [person]
zones:
  - name: counter
    polygon: [[0, 0], [384, 0], [384, 576], [0, 576]]
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Anchor != AnchorBottomCenter || c.Hysteresis != DefaultHysteresis || c.RejoinFrames != DefaultRejoinFrames {
		t.Errorf("defaults: %+v", c)
	}
	again, err := Parse([]byte(c.JSON()))
	if err != nil || again.JSON() != c.JSON() {
		t.Errorf("JSON round trip: %v, %s vs %s", err, again.JSON(), c.JSON())
	}
}

func TestBadFilesNameTheField(t *testing.T) {
	for _, tc := range []struct{ file, says string }{
		{"", "empty"},
		{"lines: []", "neither a line nor a zone"},
		{"lines:\n  - name: a\n    from: [1, 2, 3]\n    to: [4, 5]", "lines[0].from: want [x, y], got 3 numbers"},
		{"lines:\n  - name: a\n    from: [1, 2]\n    to: [1, 2]", "lines[0]: from and to are the same point"},
		{"lines:\n  - from: [1, 2]\n    to: [3, 4]", "lines[0].name: missing"},
		{"lines:\n  - name: a\n    from: [1, 2]\n    to: [3, 4]\nzones:\n  - name: a\n    polygon: [[0,0],[1,0],[1,1]]", `zones[0].name: "a" is already the name of lines[0]`},
		{"zones:\n  - name: z\n    polygon: [[0,0],[1,1]]", "zones[0].polygon: 2 points"},
		{"zones:\n  - name: z\n    polygon: [[0,0],[1,1],[2,2]]", "zones[0].polygon: its points enclose no area"},
		{"zones:\n  - name: z\n    polygon: [[0,0],[1,0],[1,1]]\n    clases: [person]", "clases"},
		{"anchor: feet\nzones:\n  - name: z\n    polygon: [[0,0],[1,0],[1,1]]", "anchor: \"feet\""},
		{"hysteresis: -2\nzones:\n  - name: z\n    polygon: [[0,0],[1,0],[1,1]]", "hysteresis: -2"},
		{"zones:\n  - name: z\n    polygon: [[0,0],[1,0],[1,1]]\n    classes: ['']", "zones[0].classes[0]: empty class"},
		{`{"lines": [{"name": "a", "from": [1, "x"], "to": [3, 4]}]}`, "not a zones file"},
	} {
		_, err := Parse([]byte(tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", tc.file, err, tc.says)
		}
	}
}

package storetest

import (
	"bytes"
	"encoding/json"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
)

// damagedLines: what a crash or a faulty disk leaves after the last line
// is healed when the name is opened again. A torn line (cut short: the
// write never finished, nobody was told) is dropped; a complete line that
// is not a frame's, or repeats a frame, is set aside, not lost. Their
// frames are not done, so they are recorded again, once.
func damagedLines(t *testing.T, b Backend) {
	second, _ := json.Marshal(record.Frame{Seq: 1})
	for _, c := range []struct {
		name    string
		raw     []byte
		setAway bool
	}{
		{"torn_last_line", []byte(`{"seq":4,"detections":[{"lab`), false},
		{"garbled_line", []byte("{\"seq\":4,\"detec\x00\x00\x00ns\":[]}\n"), true},
		{"second_line_of_a_frame", append(second, '\n'), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			place, o := recorded(t, b, "clip", finite("run-1", "clip.mp4"), 4)
			closeOut(t, o)
			b.Damage(t, place, "clip", c.raw)
			o = open(t, b.Open(t, place), "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
			checkDone(t, o, "[0,4)")
			recordAll(t, o, 0, 6)
			closeOut(t, o)
			checkLines(t, b, place, "clip", span(0, 6))
			if aside := b.SetAside(t, place, "clip"); c.setAway && !bytes.Contains(aside, c.raw) {
				t.Errorf("the damaged line %q is not among what was set aside: %q", c.raw, aside)
			}
		})
	}
}

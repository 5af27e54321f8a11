package yolo

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/detect/coco"
	"github.com/framewire/framewire/server/detect/engine"
	"github.com/framewire/framewire/server/detect/family"
	"github.com/framewire/framewire/server/detect/yolo/yolotest"
)

// The test frame: 640x360, so that the letterbox pads above and below.
const frameW, frameH = 640, 360

// plant is a box in frame pixels planted at an anchor of an s x s input.
func plant(anchor int, x1, y1, x2, y2 float64, class int, score, obj float64, s int) yolotest.Box {
	cx, cy, w, h := yolotest.ToInput(x1, y1, x2, y2, frameW, frameH, s)
	return yolotest.Box{Anchor: anchor, CX: cx, CY: cy, W: w, H: h, Class: class, Score: score, Obj: obj}
}

// plantedBoxes are boxes in frame pixels for an s x s input of nc classes
// with n candidates: two objects, a weaker duplicate of the first (NMS
// drops it), one under the threshold, and one reaching into the padding
// (clipped to the frame).
func plantedBoxes(s, n, nc int) []yolotest.Box {
	return []yolotest.Box{
		plant(3, 100, 50, 220, 300, 0, 0.9, 0.95, s),
		plant(n/2, 400, 120, 560, 200, nc-1, 0.7, 0.9, s),
		plant(n/2+1, 104, 52, 222, 296, 0, 0.6, 0.95, s),
		plant(n-1, 300, 300, 340, 340, 1, 0.1, 0.95, s),
		plant(n-2, 500, -30, 600, 60, 1, 0.8, 0.8, s),
	}
}

// frame is a blank 640x360 BGR frame; the test closes it.
func frame(t *testing.T) gocv.Mat {
	m := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(40, 80, 120, 0), frameH, frameW, gocv.MatTypeCV8UC3)
	t.Cleanup(func() { m.Close() })
	return m
}

// newDetector loads file with thresholds conf and 0.45 on eng.
func newDetector(t *testing.T, file string, eng string, conf float32, labels []string, size int) (*Detector, error) {
	model := readFile(t, file)
	f := Family()
	f.Input.Size = size
	d, err := New(family.Params{Model: model, Input: f.Input, Labels: labels, LabelsName: "the test's labels",
		Conf: conf, NMS: f.NMS, Engine: engine.Options{Engine: eng}})
	if err == nil {
		t.Cleanup(func() { d.Close() })
	}
	return d, err
}

// checkAgainstReference runs d on the test frame and compares with the
// reference decoder's reading of spec, within 2 px and 1e-5.
func checkAgainstReference(t *testing.T, d *Detector, spec yolotest.Spec, labels []string) {
	t.Helper()
	got, err := d.Detect(frame(t))
	if err != nil {
		t.Fatal(err)
	}
	want := yolotest.Reference(spec, frameW, frameH, float64(d.conf), float64(d.nmsThr))
	checkPlantedFrameBoxes(t, want, spec.Classes)
	if len(got) != len(want) {
		t.Fatalf("got %d detections %+v, want %d: %+v", len(got), got, len(want), want)
	}
	for i, w := range want {
		if p := mismatch(got[i], w, labels); p != "" {
			t.Errorf("detection %d: %s", i, p)
		}
	}
}

// checkPlantedFrameBoxes checks that the reference found the boxes
// plantedBoxes placed, in frame pixels: the duplicate suppressed, the weak
// one dropped, the one in the padding clipped at the frame's top.
func checkPlantedFrameBoxes(t *testing.T, found []yolotest.Found, nc int) {
	t.Helper()
	box := func(class int, x1, y1, x2, y2 float64) yolotest.Found {
		return yolotest.Found{Class: class, X1: x1, Y1: y1, X2: x2, Y2: y2}
	}
	want := []yolotest.Found{box(0, 100, 50, 220, 300), box(1, 500, 0, 600, 60), box(nc-1, 400, 120, 560, 200)}
	if len(found) != len(want) {
		t.Fatalf("the reference decoder found %+v, want the boxes %+v", found, want)
	}
	for i, w := range want {
		f := found[i]
		d := max(math.Abs(f.X1-w.X1), math.Abs(f.Y1-w.Y1), math.Abs(f.X2-w.X2), math.Abs(f.Y2-w.Y2))
		if f.Class != w.Class || d > 2 {
			t.Errorf("reference box %d: got class %d %+v, want class %d %+v", i, f.Class, f, w.Class, w)
		}
	}
}

// mismatch describes how g differs from w beyond 2 px and 1e-5, or "".
func mismatch(g core.Detection, w yolotest.Found, labels []string) string {
	dx := max(math.Abs(float64(g.Box.X)-w.X1), math.Abs(float64(g.Box.Y)-w.Y1),
		math.Abs(float64(g.Box.X+g.Box.W)-w.X2), math.Abs(float64(g.Box.Y+g.Box.H)-w.Y2))
	if g.ClassID != w.Class || g.Label != labels[w.Class] || math.Abs(float64(g.Score)-w.Score) > 1e-5 || dx > 2 {
		return fmt.Sprintf("got %s (%d) %.4f %+v, want %s (%d) %.4f [%.1f %.1f %.1f %.1f] (%.2f px apart)",
			g.Label, g.ClassID, g.Score, g.Box, labels[w.Class], w.Class, w.Score, w.X1, w.Y1, w.X2, w.Y2, dx)
	}
	return ""
}

// A YOLOv8-layout export with a dynamic input runs at 640 and its names
// come from the metadata; a YOLOv5-layout export of 80 classes at a fixed
// 160 without names gets COCO's. Both engines decode the planted boxes as
// the reference does.
func TestDecodesPlantedOutputs(t *testing.T) {
	names := []string{"person", "o'clock", "traffic light"}
	v8 := yolotest.Spec{Size: 640, Dynamic: true, Classes: 3, Names: names}
	v8.Boxes = plantedBoxes(640, yolotest.Cells(640), 3)
	v5 := yolotest.Spec{V5: true, Size: 160, Classes: 80}
	v5.Boxes = plantedBoxes(160, 3*yolotest.Cells(160), 80)
	v8File, v5File := yolotest.Write(t, v8), yolotest.Write(t, v5)
	for _, eng := range engine.Names() {
		t.Run(eng+"/v8", func(t *testing.T) {
			d, err := newDetector(t, v8File, eng, 0.25, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			if d.size != 640 || d.layout.v5 || !slices.Equal(d.Labels(), names) {
				t.Errorf("size %d, layout %v, labels %q; want 640, YOLOv8, %q", d.size, d.layout, d.Labels(), names)
			}
			checkAgainstReference(t, d, v8, names)
		})
		t.Run(eng+"/v5", func(t *testing.T) {
			d, err := newDetector(t, v5File, eng, 0.25, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			if d.size != 160 || !d.layout.v5 || !slices.Equal(d.Labels(), coco.Labels()) {
				t.Errorf("size %d, layout %v, labels %d; want 160, YOLOv5, COCO's", d.size, d.layout, len(d.Labels()))
			}
			checkAgainstReference(t, d, v5, coco.Labels())
		})
	}
}

// A labels file wins over the metadata's names; a model without names
// needs one unless it has 80 classes; the counts must agree.
func TestLabelsChoice(t *testing.T) {
	withNames := yolotest.Write(t, yolotest.Spec{Size: 64, Classes: 2, Names: []string{"cat", "dog"}})
	noNames := yolotest.Write(t, yolotest.Spec{Size: 64, Classes: 2})
	d, err := newDetector(t, withNames, "", 0.25, []string{"a", "b"}, 0)
	if err != nil || !slices.Equal(d.Labels(), []string{"a", "b"}) {
		t.Errorf("labels file over names: %v, %v; want [a b]", err, d)
	}
	for _, c := range []struct {
		file   string
		labels []string
		want   string
	}{
		{noNames, nil, "no names in its metadata"},
		{noNames, []string{"a", "b", "c"}, "has 3"},
		{withNames, []string{"a"}, "has 1"},
	} {
		if _, err := newDetector(t, c.file, "", 0.25, c.labels, 0); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("labels %q: err = %v, want one saying %q", c.labels, err, c.want)
		}
	}
}

// A dynamic input runs at the size asked for; a fixed one refuses another.
func TestInputSize(t *testing.T) {
	dyn := yolotest.Spec{Size: 320, Dynamic: true, Classes: 2, Names: []string{"a", "b"}}
	dyn.Boxes = plantedBoxes(320, yolotest.Cells(320), 2)
	d, err := newDetector(t, yolotest.Write(t, dyn), "", 0.25, nil, 320)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstReference(t, d, dyn, dyn.Names)
	fixed := yolotest.Write(t, yolotest.Spec{Size: 64, Classes: 2, Names: []string{"a", "b"}})
	if _, err := newDetector(t, fixed, "", 0.25, nil, 320); err == nil || !strings.Contains(err.Error(), "fixed at 64") {
		t.Errorf("size 320 for a file fixed at 64: err = %v, want a refusal", err)
	}
}

// readFile reads a file the test wrote.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Package yolotest writes ONNX files shaped like Ultralytics YOLO exports
// with an output the test plants (testdata/yolo_onnx.py, run with Debian's
// python3-onnx), and decodes what was planted with a reference decoder
// written apart from package yolo's, for the tests of package yolo and of
// the server.
package yolotest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Box is a planted candidate: Anchor is its index among the output's N;
// CX, CY, W, H its box in input pixels; Score its class score and Obj its
// objectness (YOLOv5 only).
type Box struct {
	Anchor       int
	CX, CY, W, H float64
	Class        int
	Score, Obj   float64
}

// Spec is an ONNX file to write.
type Spec struct {
	V5      bool     // YOLOv5's output [1, N, 5+nc]; else YOLOv8's [1, 4+nc, N]
	Size    int      // input side S
	Dynamic bool     // input declared [batch, 3, height, width]
	Classes int      // nc
	Names   []string // written into the metadata as Ultralytics does; nil = none
	Boxes   []Box
}

// Python is a python3 that imports onnx (Debian's, /usr/bin/python3, first);
// the test is skipped when there is none.
func Python(t testing.TB) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import onnx, numpy").Run() == nil {
			return py
		}
	}
	t.Skip("python3 with the onnx module is needed to write the YOLO test models: apt-get install python3-onnx (scripts/setup.sh test installs it)")
	return ""
}

// Write writes s as an ONNX file in a temporary folder of t and returns
// its path.
func Write(t testing.TB, s Spec) string {
	t.Helper()
	py := Python(t)
	out := filepath.Join(t.TempDir(), "yolo.onnx")
	spec, err := json.Marshal(s.script(out))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script(t))
	cmd.Stdin = bytes.NewReader(spec)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("writing the YOLO test model: %v\n%s", err, msg)
	}
	return out
}

// script is the path of testdata/yolo_onnx.py beside this file.
func script(t testing.TB) string {
	_, self, _, ok := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(self), "testdata", "yolo_onnx.py")
	if _, err := os.Stat(p); !ok || err != nil {
		t.Fatalf("cannot find testdata/yolo_onnx.py: %v", err)
	}
	return p
}

// script is s as the Python script reads it.
func (s Spec) script(out string) map[string]any {
	layout := "v8"
	if s.V5 {
		layout = "v5"
	}
	boxes := make([][]any, len(s.Boxes))
	for i, b := range s.Boxes {
		boxes[i] = []any{b.Anchor, b.CX, b.CY, b.W, b.H, b.Class, b.Score, b.Obj}
	}
	return map[string]any{"out": out, "layout": layout, "size": s.Size, "dynamic": s.Dynamic,
		"classes": s.Classes, "names": s.Names, "boxes": boxes}
}

// Cells is YOLOv8's N for input side size: the cells of strides 8, 16
// and 32 (YOLOv5's N is three times it).
func Cells(size int) int {
	n := 0
	for _, s := range []int{8, 16, 32} {
		n += ((size + s - 1) / s) * ((size + s - 1) / s)
	}
	return n
}

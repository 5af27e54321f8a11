package engine

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The project's own NanoDet file (models/ at the repository root), so these
// tests run on any machine the set-up has prepared.
const nanodet320 = "../../../models/nanodet/nanodet-m-320.onnx"

// nanodetOutputShapes are NanoDet-m 320's six outputs, sorted.
var nanodetOutputShapes = []string{"[100 32]", "[100 80]", "[1600 32]", "[1600 80]", "[400 32]", "[400 80]"}

func readModel(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read model: %v", err)
	}
	return b
}

func newEngine(t testing.TB, model []byte, input []int, o Options) Engine {
	t.Helper()
	e, err := New(model, input, o)
	if err != nil {
		t.Fatalf("New(%s): %v", o.Engine, err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// The ONNX Runtime 1.30.0 library the set-up installs works with
// onnxruntime_go v1.27.0 (built against the 1.24 C API): it loads, reports
// its version and runs NanoDet.
func TestONNXRuntime130WithBinding127(t *testing.T) {
	version, err := LoadONNXRuntime("")
	if err != nil {
		t.Fatal(err)
	}
	if version != "1.30.0" {
		t.Errorf("GetVersion() = %q, want \"1.30.0\" (the library scripts/install-onnxruntime.sh installs)", version)
	}
	e := newEngine(t, readModel(t, nanodet320), []int{1, 3, 320, 320}, Options{Engine: ONNXRuntime})
	outs, err := e.Forward()
	if err != nil {
		t.Fatal(err)
	}
	if got := outputShapes(outs); !slices.Equal(got, nanodetOutputShapes) {
		t.Errorf("output shapes = %v, want %v", got, nanodetOutputShapes)
	}
}

func outputShapes(outs []Tensor) []string {
	s := make([]string, len(outs))
	for i, o := range outs {
		s[i] = fmt.Sprint(o.Dims)
	}
	slices.Sort(s)
	return s
}

// Both engines give the same outputs for the same input (a ramp).
func TestEnginesAgree(t *testing.T) {
	model := readModel(t, nanodet320)
	var got [2][]Tensor
	for i, name := range Names() {
		e := newEngine(t, model, []int{1, 3, 320, 320}, Options{Engine: name, Threads: 1})
		in := e.Input().Data
		for k := range in {
			in[k] = float32(k%640)/320 - 1
		}
		outs, err := e.Forward()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[i] = outs
	}
	if len(got[0]) != len(got[1]) {
		t.Fatalf("%d outputs against %d", len(got[0]), len(got[1]))
	}
	for _, a := range got[0] {
		b := sameShape(got[1], a.Dims)
		if b == nil {
			t.Fatalf("no OpenCV output of shape %v", a.Dims)
		}
		if d := maxAbsDiff(a.Data, b.Data); d > 1e-3 && !slices.Equal(a.Dims, []int{1, 1600, 32}) || d > 1e-2 {
			t.Errorf("output %v: engines differ by up to %g, want <= 1e-3", a.Dims, d)
		}
	}
}

func sameShape(ts []Tensor, dims []int) *Tensor {
	for i := range ts {
		if slices.Equal(ts[i].Dims, dims) {
			return &ts[i]
		}
	}
	return nil
}

func maxAbsDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

func TestNewRefuses(t *testing.T) {
	model := readModel(t, nanodet320)
	for _, c := range []struct {
		name  string
		input []int
		o     Options
	}{
		{"unknown engine", []int{1, 3, 320, 320}, Options{Engine: "tensorrt"}},
		{"zero dim", []int{1, 3, 0, 320}, Options{}},
		{"symbolic dim", []int{1, 3, -1, 320}, Options{}},
		{"negative threads", []int{1, 3, 320, 320}, Options{Threads: -1}},
		{"ort: wrong input size", []int{1, 3, 300, 320}, Options{Engine: ONNXRuntime}},
	} {
		if e, err := New(model, c.input, c.o); err == nil {
			e.Close()
			t.Errorf("%s: New succeeded, want an error", c.name)
		} else {
			t.Logf("%s: %v", c.name, err)
		}
	}
	for _, name := range Names() {
		if e, err := New([]byte("not a model"), []int{1, 3, 320, 320}, Options{Engine: name}); err == nil {
			e.Close()
			t.Errorf("%s: New on garbage succeeded, want an error", name)
		}
	}
}

func TestForwardAfterClose(t *testing.T) {
	model := readModel(t, nanodet320)
	for _, name := range Names() {
		e, err := New(model, []int{1, 3, 320, 320}, Options{Engine: name})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Close(); err != nil {
			t.Fatalf("%s Close: %v", name, err)
		}
		if err := e.Close(); err != nil {
			t.Errorf("%s second Close: %v", name, err)
		}
		if _, err := e.Forward(); err == nil {
			t.Errorf("%s: Forward after Close succeeded, want an error", name)
		}
	}
}

func TestORTVersionOK(t *testing.T) {
	for v, want := range map[string]bool{"1.30.0": true, "1.24.1": true, "2.0.0": true, "1.23.2": false, "0.9": false, "": false, "x.y": false} {
		if got := ortVersionOK(v); got != want {
			t.Errorf("ortVersionOK(%q) = %v, want %v", v, got, want)
		}
	}
}

// A second library path in the same process is refused.
func TestLoadONNXRuntimeOnce(t *testing.T) {
	if _, err := LoadONNXRuntime(""); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadONNXRuntime(DefaultONNXRuntimeLib); err != nil {
		t.Errorf("loading the same library again: %v", err)
	}
	other := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if _, err := LoadONNXRuntime(other); err == nil || !strings.Contains(err.Error(), other) {
		t.Errorf("loading a second library: err = %v, want an error naming %s", err, other)
	}
}

// loadLibEnv makes the test binary, run again as a child, try to load the
// library it names and print the error: loading is once per process.
const loadLibEnv = "FRAMEWIRE_TEST_LOAD_ORT"

// quietEnv makes the child load models into ONNX Runtime and print "loaded".
const quietEnv = "FRAMEWIRE_TEST_ORT_QUIET"

// quietModels are the models the child loads, when present: each makes
// ONNX Runtime warn at its default log level ("appears in graph inputs",
// "Removing initializer").
var quietModels = []struct {
	path  string
	input []int
}{
	{nanodet320, []int{1, 3, 320, 320}},
	{"../../../../shared/models/nanodet/nanodet-m-416.onnx", []int{1, 3, 416, 416}},
	{"/usr/local/share/framewire/models/blazeface/face_detection_front_128x128_barracuda.onnx", []int{1, 128, 128, 3}},
}

func TestMain(m *testing.M) {
	if path, ok := os.LookupEnv(loadLibEnv); ok {
		_, err := New(nil, []int{1}, Options{ONNXRuntimeLib: path})
		fmt.Print(err)
		os.Exit(0)
	}
	if _, ok := os.LookupEnv(quietEnv); ok {
		os.Exit(childLoadModels())
	}
	os.Exit(m.Run())
}

// childLoadModels loads every quietModels file present into ONNX Runtime,
// runs it and says so.
func childLoadModels() int {
	for _, m := range quietModels {
		model, err := os.ReadFile(m.path)
		if errors.Is(err, os.ErrNotExist) && m.path != nanodet320 {
			continue
		}
		if err == nil {
			var e Engine
			if e, err = New(model, m.input, Options{}); err == nil {
				_, err = e.Forward()
				err = errors.Join(err, e.Close())
			}
		}
		if err != nil {
			fmt.Println(err)
			return 1
		}
	}
	fmt.Println("loaded")
	return 0
}

// ONNX Runtime prints no warnings while it loads the models (the NanoDet
// 416 and BlazeFace files list weights among the graph inputs or carry
// unused ones: a warning each at ONNX Runtime's warning level).
func TestONNXRuntimeQuiet(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), quietEnv+"=1")
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, got)
	}
	if string(got) != "loaded\n" {
		t.Errorf("output of a process loading the models into ONNX Runtime = %q, want only \"loaded\\n\"", got)
	}
}

// A missing or wrong library fails with an error naming it and saying how
// to install ONNX Runtime.
func TestMissingOrWrongLibrary(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "libonnxruntime.so.1")
	if err := os.WriteFile(garbage, []byte("not a shared library\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{filepath.Join(dir, "missing.so"), garbage, dir}
	if notORT := "/lib/x86_64-linux-gnu/libz.so.1"; fileExists(notORT) {
		paths = append(paths, notORT) // a shared library, but not ONNX Runtime
	}
	for _, path := range paths {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), loadLibEnv+"="+path)
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: child: %v\n%s", path, err, got)
		}
		t.Logf("%s: %s", path, got)
		for _, want := range []string{path, "bash scripts/install-onnxruntime.sh"} {
			if !strings.Contains(string(got), want) {
				t.Errorf("loading %s: error %q does not say %q", path, got, want)
			}
		}
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

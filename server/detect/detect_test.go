package detect

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gocv.io/x/gocv"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/framewire/framewire/server/detect/nanodet"
	"github.com/framewire/framewire/server/detect/yolo/yolotest"
)

var (
	personWants = []want{
		{"dog", Box{X: 68, Y: 262, W: 134, H: 88}},
		{"person", Box{X: 188, Y: 100, W: 88, H: 272}},
		{"horse", Box{X: 402, Y: 138, W: 203, H: 206}},
	}
	messiWants = []want{
		{"person", Box{X: 62, Y: 62, W: 396, H: 276}},
		{"sports ball", Box{X: 337, Y: 289, W: 51, H: 50}},
	}
)

func TestNanodet320(t *testing.T) {
	d := newDetector(t, Config{Kind: KindNanodet, ModelFile: nanodetModel(t, "nanodet-m-320.onnx")})
	t.Run("person.jpg", func(t *testing.T) { expectObjects(t, detectFile(t, d, personJPG), personWants) })
	t.Run("messi5.jpg", func(t *testing.T) { expectObjects(t, detectFile(t, d, messiJPG), messiWants) })
}

// The 416 file proves the input size is read from the model, not assumed.
func TestNanodet416(t *testing.T) {
	d := newDetector(t, Config{Kind: KindNanodet, ModelFile: nanodetModel(t, "nanodet-m-416.onnx")})
	if got := d.(*nanodet.Detector).Size(); got != 416 {
		t.Errorf("input size = %d, want 416", got)
	}
	t.Run("person.jpg", func(t *testing.T) { expectObjects(t, detectFile(t, d, personJPG), personWants) })
	t.Run("messi5.jpg", func(t *testing.T) { expectObjects(t, detectFile(t, d, messiJPG), messiWants) })
}

func TestNanodetConfAndLabels(t *testing.T) {
	model := nanodetModel(t, "nanodet-m-320.onnx")
	// A higher threshold keeps only the dog (0.63) from person.jpg.
	d := newDetector(t, Config{Kind: KindNanodet, ModelFile: model, Conf: 0.6})
	dets := detectFile(t, d, personJPG)
	if len(dets) != 1 || dets[0].Label != "dog" || dets[0].ClassID != 16 {
		t.Errorf("at Conf 0.6 got %+v, want only the dog (class 16)", dets)
	}
	// A custom labels file renames the classes.
	labels := make([]string, 80)
	for i := range labels {
		labels[i] = "c" + string(rune('A'+i%26))
	}
	labels[0] = "human"
	lf := filepath.Join(t.TempDir(), "labels.txt")
	if err := os.WriteFile(lf, []byte(strings.Join(labels, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d2 := newDetector(t, Config{Kind: KindNanodet, ModelFile: model, LabelsFile: lf})
	if !slices.ContainsFunc(detectFile(t, d2, personJPG), func(x Detection) bool { return x.Label == "human" }) {
		t.Error("custom labels file not used: no \"human\"")
	}
	// Too few labels fails in New, naming the labels file.
	short := shortLabels(t)
	_, err := New(Config{Kind: KindNanodet, ModelFile: model, LabelsFile: short})
	if err == nil || !strings.Contains(err.Error(), short) {
		t.Errorf("New with 2 labels: err = %v, want an error naming %s", err, short)
	}
}

func TestBlazeFace(t *testing.T) {
	d := newDetector(t, Config{Kind: KindBlazeFace, ModelFile: blazeFaceModel(t, "face_detection_front_128x128_barracuda.onnx")})
	t.Run("face.jpg", func(t *testing.T) {
		dets := detectFile(t, d, gocvFaceJPG(t))
		if len(dets) != 1 {
			t.Fatalf("got %d faces %+v, want exactly 1", len(dets), dets)
		}
		expectObjects(t, dets, []want{{"face", Box{X: 262, Y: 190, W: 196, H: 196}}})
	})
	t.Run("person.jpg", func(t *testing.T) {
		if dets := detectFile(t, d, personJPG); len(dets) != 0 {
			t.Errorf("got faces %+v in person.jpg, want none", dets)
		}
	})
}

func TestBlazeFaceDefaultFileAndBack256(t *testing.T) {
	blazeFaceModel(t, "face_detection_front_128x128_barracuda.onnx")
	d := newDetector(t, Config{Kind: KindBlazeFace}) // DefaultModelFile
	if n := len(detectFile(t, d, gocvFaceJPG(t))); n != 1 {
		t.Errorf("default model: %d faces in face.jpg, want 1", n)
	}
	back := newDetector(t, Config{Kind: KindBlazeFace, ModelFile: blazeFaceModel(t, "face_detection_back_256x256_barracuda.onnx")})
	// Messi's face, a small one: only the 256 model sees it.
	dets := detectFile(t, back, messiJPG)
	if len(dets) != 1 {
		t.Fatalf("256 model: got %+v in messi5.jpg, want 1 face", dets)
	}
	expectObjects(t, dets, []want{{"face", Box{X: 221, Y: 96, W: 37, H: 37}}})
}

// minimalONNX is a well-formed ONNX ModelProto whose graph declares one NCHW
// input and, when op != "", one node of that op type: it passes the Go-side
// shape check, so OpenCV itself must reject it without aborting the process.
func minimalONNX(op string) []byte {
	msg := func(num protowire.Number, body []byte) []byte {
		b := protowire.AppendTag(nil, num, protowire.BytesType)
		return protowire.AppendBytes(b, body)
	}
	var shape []byte
	for _, d := range []uint64{1, 3, 320, 320} {
		dim := protowire.AppendTag(nil, 1, protowire.VarintType)
		dim = protowire.AppendVarint(dim, d)
		shape = append(shape, msg(1, dim)...)
	}
	elem := protowire.AppendTag(nil, 1, protowire.VarintType)
	elem = protowire.AppendVarint(elem, 1)
	tensorType := append(elem, msg(2, shape)...)
	valueInfo := append(msg(1, []byte("x")), msg(2, msg(1, tensorType))...)
	graph := msg(11, valueInfo)
	if op != "" {
		node := append(msg(1, []byte("x")), msg(2, []byte("y"))...)
		node = append(node, msg(4, []byte(op))...)
		graph = append(graph, msg(1, node)...)
		graph = append(graph, msg(12, msg(1, []byte("y")))...)
	}
	ir := protowire.AppendTag(nil, 1, protowire.VarintType)
	ir = protowire.AppendVarint(ir, 7)
	opset := protowire.AppendTag(nil, 2, protowire.VarintType)
	opset = protowire.AppendVarint(opset, 11)
	model := append(ir, msg(8, opset)...)
	return append(model, msg(7, graph)...)
}

func TestNewBadModelFiles(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.onnx")
	if err := os.WriteFile(garbage, []byte("this is not an ONNX model, just text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.onnx")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	hollow := filepath.Join(dir, "hollow.onnx")
	if err := os.WriteFile(hollow, minimalONNX(""), 0o644); err != nil {
		t.Fatal(err)
	}
	badOp := filepath.Join(dir, "badop.onnx")
	if err := os.WriteFile(badOp, minimalONNX("NoSuchOpAnywhere"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cfg  Config
	}{
		{"missing", Config{Kind: KindNanodet, ModelFile: filepath.Join(dir, "missing.onnx")}},
		{"garbage nanodet", Config{Kind: KindNanodet, ModelFile: garbage}},
		{"garbage blazeface", Config{Kind: KindBlazeFace, ModelFile: garbage}},
		{"empty", Config{Kind: KindNanodet, ModelFile: empty}},
		{"opencv loads nothing", Config{Kind: KindNanodet, ModelFile: hollow}},
		{"opencv throws", Config{Kind: KindNanodet, ModelFile: badOp}},
		{"directory", Config{Kind: KindBlazeFace, ModelFile: dir}},
	}
	if _, err := os.Stat(filepath.Join(blazeFaceDir, "face_detection_front_128x128_barracuda.onnx")); err == nil {
		cases = append(cases, struct {
			name string
			cfg  Config
		}{"blazeface file for nanodet", Config{Kind: KindNanodet, ModelFile: filepath.Join(blazeFaceDir, "face_detection_front_128x128_barracuda.onnx")}})
	}
	if _, err := os.Stat(filepath.Join(repoNanodetDir, "nanodet-m-320.onnx")); err == nil {
		cases = append(cases, struct {
			name string
			cfg  Config
		}{"nanodet file for blazeface", Config{Kind: KindBlazeFace, ModelFile: filepath.Join(repoNanodetDir, "nanodet-m-320.onnx")}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := New(c.cfg)
			if err == nil {
				d.Close()
				t.Fatalf("New(%+v) succeeded, want an error", c.cfg)
			}
			t.Logf("error: %v", err)
			if !strings.Contains(err.Error(), c.cfg.ModelFile) {
				t.Errorf("error %q does not name the file %s", err, c.cfg.ModelFile)
			}
		})
	}
}

func TestNewBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Kind: "yolo"}, // no model file is installed for it
		{Kind: "nope"},
		{Kind: ""},
		{Kind: KindNanodet, InputSize: -1},
		{Kind: KindNanodet, Conf: 1.5},
		{Kind: KindBlazeFace, NMS: -0.1},
	} {
		if d, err := New(cfg); err == nil {
			d.Close()
			t.Errorf("New(%+v) succeeded, want an error", cfg)
		}
	}
	if _, err := New(Config{Kind: "yolo"}); err == nil || !strings.Contains(err.Error(), "yolo: no model file given") {
		t.Errorf("yolo without a model file: %v, want an error saying none was given", err)
	}
}

func TestMean(t *testing.T) {
	d := newDetector(t, Config{Kind: KindMean})
	if dets := detectFile(t, d, personJPG); dets != nil {
		t.Errorf("mean detector found %+v, want nothing", dets)
	}
}

func TestKindsAndDefaults(t *testing.T) {
	if got := Kinds(); !slices.Equal(got, []string{"mean", "nanodet", "blazeface", "yolo"}) {
		t.Errorf("Kinds() = %v", got)
	}
	if DefaultModelFile("mean") != "" || DefaultModelFile("nope") != "" || DefaultModelFile("yolo") != "" {
		t.Error("DefaultModelFile should be empty for mean, yolo and unknown kinds")
	}
	if got := DefaultModelFile("nanodet"); got != "/usr/local/share/framewire/models/nanodet/nanodet-m-320.onnx" {
		t.Errorf("DefaultModelFile(nanodet) = %s", got)
	}
	if got := DefaultModelFile("blazeface"); got != "/usr/local/share/framewire/models/blazeface/face_detection_front_128x128_barracuda.onnx" {
		t.Errorf("DefaultModelFile(blazeface) = %s", got)
	}
}

// Bad frames are errors, never panics, for every kind; odd frame sizes work.
func TestDetectBadAndOddFrames(t *testing.T) {
	dets := []Detector{newDetector(t, Config{Kind: KindMean}),
		newDetector(t, Config{Kind: "yolo", ModelFile: yolotest.Write(t, yolotest.Spec{Size: 64, Classes: 80})})}
	if _, err := os.Stat(filepath.Join(repoNanodetDir, "nanodet-m-320.onnx")); err == nil {
		dets = append(dets, newDetector(t, Config{Kind: KindNanodet, ModelFile: filepath.Join(repoNanodetDir, "nanodet-m-320.onnx")}))
	}
	if _, err := os.Stat(filepath.Join(blazeFaceDir, "face_detection_front_128x128_barracuda.onnx")); err == nil {
		dets = append(dets, newDetector(t, Config{Kind: KindBlazeFace}))
	}
	empty := gocv.NewMat()
	defer empty.Close()
	gray := gocv.NewMatWithSize(50, 60, gocv.MatTypeCV8UC1)
	defer gray.Close()
	tall := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(90, 120, 200, 0), 1000, 3, gocv.MatTypeCV8UC3)
	defer tall.Close()
	tiny := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(90, 120, 200, 0), 1, 1, gocv.MatTypeCV8UC3)
	defer tiny.Close()
	for _, d := range dets {
		for name, m := range map[string]gocv.Mat{"empty": empty, "zero value": {}, "gray": gray} {
			if _, err := d.Detect(m); err == nil {
				t.Errorf("%T.Detect(%s frame) succeeded, want an error", d, name)
			}
		}
		for name, m := range map[string]gocv.Mat{"1000x3": tall, "1x1": tiny} {
			if _, err := d.Detect(m); err != nil {
				t.Errorf("%T.Detect(%s frame): %v", d, name, err)
			}
		}
	}
}

func TestDetectAfterClose(t *testing.T) {
	d, err := New(Config{Kind: KindNanodet, ModelFile: nanodetModel(t, "nanodet-m-320.onnx")})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	img := readImage(t, personJPG)
	defer img.Close()
	if _, err := d.Detect(img); err == nil {
		t.Error("Detect after Close succeeded, want an error")
	}
}

package detect

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/detect/nms"
)

// Real test media and models. NanoDet-m 320 ships with the project
// (models/nanodet); the other NanoDet files live in the development share's
// models folder, relative to this package; BlazeFace is where the set-up
// script installs it.
const (
	repoNanodetDir = "../../models/nanodet"
	nanodetDir     = "../../../shared/models/nanodet"
	blazeFaceDir   = "/usr/local/share/framewire/models/blazeface"
	personJPG      = "/usr/share/darknet/data/person.jpg"
	messiJPG       = "/usr/share/doc/opencv-doc/examples/data/messi5.jpg"
)

// nanodetModel is the NanoDet file name: the project's own copy when it has
// one (a missing one fails the test), else the shared one (skips if absent).
func nanodetModel(t testing.TB, name string) string {
	t.Helper()
	if p := filepath.Join(repoNanodetDir, name); name == "nanodet-m-320.onnx" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("the project's NanoDet model: %v", err)
		}
		return p
	}
	p := filepath.Join(nanodetDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("NanoDet model %s not found (expected the shared models folder at %s): %v", name, nanodetDir, err)
	}
	return p
}

func blazeFaceModel(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(blazeFaceDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("BlazeFace model not installed at %s (the set-up script puts it there): %v", p, err)
	}
	return p
}

// gocvFaceJPG is images/face.jpg from the gocv module in the module cache.
func gocvFaceJPG(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "gocv.io/x/gocv").Output()
	if err != nil {
		t.Skipf("cannot locate the gocv module for images/face.jpg: %v", err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "images", "face.jpg")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("gocv test image %s not found: %v", p, err)
	}
	return p
}

// readImage loads a colour image; the caller closes it.
func readImage(t testing.TB, path string) gocv.Mat {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("test image %s not found (install the darknet / opencv-doc package): %v", path, err)
	}
	img := gocv.IMRead(path, gocv.IMReadColor)
	if img.Empty() {
		img.Close()
		t.Fatalf("cannot decode %s", path)
	}
	return img
}

func newDetector(t testing.TB, cfg Config) Detector {
	t.Helper()
	d, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

func detectFile(t testing.TB, d Detector, path string) []Detection {
	t.Helper()
	img := readImage(t, path)
	defer img.Close()
	dets, err := d.Detect(img)
	if err != nil {
		t.Fatalf("Detect(%s): %v", path, err)
	}
	return dets
}

func boxIoU(a, b Box) float32 {
	return nms.Candidate{X1: a.X, Y1: a.Y, X2: a.X + a.W, Y2: a.Y + a.H}.IoU(
		nms.Candidate{X1: b.X, Y1: b.Y, X2: b.X + b.W, Y2: b.Y + b.H})
}

// want is an object expected in an image: its label and a reference box
// established by eye on the image.
type want struct {
	label string
	box   Box
}

// expectObjects checks that each wanted object was found with IoU >= 0.5
// against its reference box.
func expectObjects(t *testing.T, dets []Detection, wants []want) {
	t.Helper()
	for _, d := range dets {
		t.Logf("found %s %.3f box %+v", d.Label, d.Score, d.Box)
	}
	for _, w := range wants {
		var best float32
		for _, d := range dets {
			if d.Label == w.label {
				best = max(best, boxIoU(d.Box, w.box))
			}
		}
		if best < 0.5 {
			t.Errorf("no %q with IoU >= 0.5 against the reference box %+v (best IoU %.2f)", w.label, w.box, best)
		}
	}
}

// shortLabels writes a labels file of 2 labels, too few for any COCO model.
func shortLabels(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "short.txt")
	if err := os.WriteFile(p, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

package nanodet

import (
	"os"
	"testing"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/server/detect/family"
)

const personJPG = "/usr/share/darknet/data/person.jpg"

// benchNanodet is the project's NanoDet-m 320 with person.jpg, img,
// prepared; done closes both.
func benchNanodet(b *testing.B) (_ *Detector, img gocv.Mat, done func()) {
	model, err := os.ReadFile("../../../models/nanodet/nanodet-m-320.onnx")
	if err != nil {
		b.Fatalf("the project's NanoDet model: %v", err)
	}
	f := Family()
	d, err := New(family.Params{Model: model, Input: f.Input, Conf: f.Conf, NMS: f.NMS})
	if err != nil {
		b.Fatal(err)
	}
	img = readImage(b, personJPG)
	if err := d.preprocess(img); err != nil {
		b.Fatal(err)
	}
	return d, img, func() { img.Close(); d.Close() }
}

// readImage loads a colour image; the caller closes it.
func readImage(b *testing.B, path string) gocv.Mat {
	if _, err := os.Stat(path); err != nil {
		b.Skipf("test image %s not found (install the darknet package): %v", path, err)
	}
	img := gocv.IMRead(path, gocv.IMReadColor)
	if img.Empty() {
		img.Close()
		b.Fatalf("cannot decode %s", path)
	}
	return img
}

func BenchmarkNanodetPreprocess(b *testing.B) {
	d, img, done := benchNanodet(b)
	defer done()
	b.ReportAllocs()
	for b.Loop() {
		if err := d.preprocess(img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNanodetForward(b *testing.B) {
	d, _, done := benchNanodet(b)
	defer done()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Infer(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNanodetPostprocess(b *testing.B) {
	d, _, done := benchNanodet(b)
	defer done()
	outs, err := d.Infer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		dets, err := d.postprocess(outs, 640, 424)
		if err != nil || len(dets) != 3 {
			b.Fatalf("postprocess: %v, %d detections", err, len(dets))
		}
	}
}

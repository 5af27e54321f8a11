package detect

import (
	"testing"
)

func benchNanodet(b *testing.B) (*nanodetDetector, func()) {
	d, err := New(Config{Kind: KindNanodet, ModelFile: nanodetModel(b, "nanodet-m-320.onnx")})
	if err != nil {
		b.Fatal(err)
	}
	img := readImage(b, personJPG)
	nd := d.(*nanodetDetector)
	if err := nd.preprocess(img); err != nil {
		b.Fatal(err)
	}
	return nd, func() { img.Close(); d.Close() }
}

func BenchmarkNanodetPreprocess(b *testing.B) {
	d, done := benchNanodet(b)
	defer done()
	img := readImage(b, personJPG)
	defer img.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := d.preprocess(img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNanodetForward(b *testing.B) {
	d, done := benchNanodet(b)
	defer done()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.forward(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNanodetPostprocess(b *testing.B) {
	d, done := benchNanodet(b)
	defer done()
	outs, err := d.forward()
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

func BenchmarkBlazeFaceDetect(b *testing.B) {
	d, err := New(Config{Kind: KindBlazeFace, ModelFile: blazeFaceModel(b, "face_detection_front_128x128_barracuda.onnx")})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	img := readImage(b, gocvFaceJPG(b))
	defer img.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Detect(img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDraw(b *testing.B) {
	img := readImage(b, personJPG)
	defer img.Close()
	dets := []Detection{
		{Label: "dog", ClassID: 16, Score: 0.63, Box: Box{68, 262, 134, 88}},
		{Label: "person", ClassID: 0, Score: 0.58, Box: Box{188, 100, 88, 272}},
		{Label: "horse", ClassID: 17, Score: 0.44, Box: Box{402, 138, 203, 206}},
	}
	b.ReportAllocs()
	for b.Loop() {
		Draw(&img, dets)
	}
}

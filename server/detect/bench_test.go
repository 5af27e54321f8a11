package detect

import (
	"fmt"
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

// BenchmarkNMS is non-maximum suppression of 200 overlapping candidates of
// 4 classes (more than a busy frame yields above the threshold).
func BenchmarkNMS(b *testing.B) {
	src := make([]candidate, 200)
	for i := range src {
		x := float32(i % 20 * 15)
		y := float32(i / 20 * 15)
		src[i] = candidate{x1: x, y1: y, x2: x + 40, y2: y + 40, score: float32(i%17) / 17, class: i % 4}
	}
	cands := make([]candidate, len(src))
	b.ReportAllocs()
	for b.Loop() {
		copy(cands, src)
		nms(cands, 0.5)
	}
}

// BenchmarkNanodetDetect is a whole Detect (pre-processing, forward,
// decode, NMS) of a 768x576 frame at the thread count OpenCV has now.
func BenchmarkNanodetDetect(b *testing.B) {
	d, done := benchNanodet(b)
	defer done()
	img := readImage(b, messiJPG)
	defer img.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Detect(img); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNanodetForwardThreads compares one net's forward pass with
// OpenCV on one thread and on one per CPU.
func BenchmarkNanodetForwardThreads(b *testing.B) {
	d, done := benchNanodet(b)
	defer done()
	defer SetThreads(0)
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", n), func(b *testing.B) {
			if err := SetThreads(n); err != nil {
				b.Fatal(err)
			}
			if Threads() != n {
				b.Fatalf("OpenCV runs %d threads after SetThreads(%d)", Threads(), n)
			}
			for b.Loop() {
				if err := d.Forward(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

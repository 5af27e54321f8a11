package detect

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

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

// BenchmarkNanodetDetect is a whole Detect (pre-processing, forward,
// decode, NMS) of a 768x576 frame at the thread count OpenCV has now.
func BenchmarkNanodetDetect(b *testing.B) {
	d := newDetector(b, Config{Kind: KindNanodet, ModelFile: nanodetModel(b, "nanodet-m-320.onnx")})
	img := readImage(b, messiJPG)
	defer img.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Detect(img); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForward is NanoDet-m 320's forward pass alone on each engine
// with 1 and 2 threads: ONNX Runtime's intra-op threads of the one session,
// OpenCV's process-wide threads.
func BenchmarkForward(b *testing.B) {
	defer SetThreads(0)
	for _, eng := range Engines() {
		for _, n := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/%d", eng, n), func(b *testing.B) {
				s := benchStager(b, eng, n)
				b.ReportAllocs()
				for b.Loop() {
					if err := s.Forward(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// benchStager makes a NanoDet-m 320 detector on eng with threads threads
// (OpenCV's set process-wide) and prepares person.jpg; closed at the end.
func benchStager(b *testing.B, eng string, threads int) Stager {
	b.Helper()
	cfg := Config{Kind: KindNanodet, ModelFile: nanodetModel(b, "nanodet-m-320.onnx"), Engine: eng, Threads: threads}
	if eng == EngineOpenCV {
		cfg.Threads = 0
		if err := SetThreads(threads); err != nil {
			b.Fatal(err)
		}
	}
	s := newDetector(b, cfg).(Stager)
	img := readImage(b, personJPG)
	defer img.Close()
	if err := s.Prepare(img); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkWorkers measures what the server's threading choice decides:
// whole Detects of a 768x576 frame (pre-processing, forward pass, decoding)
// per second on each engine with W workers (a detector each, running at
// once) x T threads per forward pass, as frames/s. b.N frames are shared
// among the workers.
func BenchmarkWorkers(b *testing.B) {
	defer SetThreads(0)
	for _, eng := range Engines() {
		for _, wt := range [][2]int{{1, 1}, {1, 2}, {2, 1}, {2, 2}} {
			b.Run(fmt.Sprintf("%s/%dx%d", eng, wt[0], wt[1]), func(b *testing.B) {
				benchWorkers(b, eng, wt[0], wt[1])
			})
		}
	}
}

func benchWorkers(b *testing.B, eng string, workers, threads int) {
	dets := make([]Detector, workers)
	for i := range dets {
		dets[i] = benchStager(b, eng, threads)
	}
	img := readImage(b, messiJPG)
	defer img.Close()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	b.ResetTimer()
	for _, d := range dets {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if _, err := d.Detect(img); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

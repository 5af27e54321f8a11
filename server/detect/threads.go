package detect

import (
	"github.com/framewire/framewire/internal/cpus"
	"github.com/framewire/framewire/server/detect/engine"
)

// SetThreads sets how many threads OpenCV may use inside one call (the
// network's layers, resizes, colour conversions), for the whole process.
// n = 1 runs every call on the calling goroutine's thread alone, which is
// what several workers with a net each want; n <= 0 restores OpenCV's
// default (one per CPU). Call it before the workers start.
func SetThreads(n int) error {
	return engine.SetOpenCVThreads(n)
}

// Threads returns the number of threads OpenCV uses inside one call.
func Threads() int {
	return engine.OpenCVThreads()
}

// ThreadsPerWorker is the OpenCV thread count for workers workers (0 = one
// per CPU, as server.Config.Workers) that keeps workers x threads at the
// number of CPUs this process may use (cpus.Usable: a container's limit
// counts): CPUs/workers, at least 1. On 2 cores with NanoDet-m 320
// (framewire-bench, figure d), one worker with 2 threads is the slowest
// setting by 20-45%: a second thread speeds one forward pass up by only
// about 15%. Two workers with 1 thread each matched or beat two workers on
// OpenCV's default of 2 threads in most runs, without oversubscribing the
// cores.
func ThreadsPerWorker(workers int) int {
	n := cpus.Usable()
	if workers <= 0 {
		workers = n
	}
	return max(1, n/workers)
}

// ORTThreadsPerWorker is the ONNX Runtime intra-op thread count of each
// detector for workers workers (0 = one per CPU): CPUs/workers, at least 1,
// as for OpenCV. Measured with BenchmarkWorkers on 2 cores (NanoDet-m 320,
// whole detections of a 768x576 frame, medians of 3): 2 workers x 1 thread
// 104 frames/s, 1 x 2 68, 2 x 2 72, 1 x 1 53. A second thread speeds one
// forward pass up far less than a second worker adds.
func ORTThreadsPerWorker(workers int) int {
	return ThreadsPerWorker(workers)
}

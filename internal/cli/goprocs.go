package cli

import "runtime"

// HalveGoProcs gives Go's scheduler half the CPUs it would use (at least
// one), unless getenv("GOMAXPROCS") sets them. framewire's commands spend
// most of a frame in ONNX Runtime, OpenCV and FFmpeg, outside the
// scheduler (the server's workers, the client's decoding); the Go code of
// a frame (gRPC, recording, hand-offs between goroutines) needs far less
// than a CPU per such thread, and more Go threads than that only compete
// with them for the cores (a scheduler thread spinning for work, sysmon
// taking back a processor from a long cgo call). Measured on 2 CPUs, 1
// instead of 2 (docs/performance.md): 0.6 to 1.0 ms less server CPU and
// 0.1 to 0.2 ms less client CPU a NanoDet frame, and 2 to 4 % more frames
// a second, one stream or eight; no change with --model mean. Call it
// from main, before anything starts.
func HalveGoProcs(getenv func(string) string) {
	if getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(max(1, runtime.GOMAXPROCS(0)/2))
	}
}

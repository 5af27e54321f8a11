package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	"github.com/framewire/framewire/internal/cpus"
	"github.com/framewire/framewire/server/detect"
)

// defineRunFlags defines the flags that size the figures' runs.
func defineRunFlags(o *rig.Options, fs *flag.FlagSet) {
	fs.StringVar(&o.Only, "only", "abcdefghijklmn", "`figures` to measure, e.g. ad")
	fs.IntVar(&o.Frames, "frames", 200, "frames per run in a, b and d")
	fs.IntVar(&o.Rounds, "rounds", 3, "rounds of each figure's variants, interleaved; the median is reported")
	fs.IntVar(&o.Workers, "workers", 0, "server workers (0 = one per CPU, as framewire-server)")
	fs.IntVar(&o.CVThreads, "cv-threads", 0, "OpenCV threads per call (0 = detect.ThreadsPerWorker, as framewire-server)")
	fs.IntVar(&o.Window, "window", 8, "stream window for files (framewire-capture's default)")
	fs.IntVar(&o.UnaryCallers, "unary-callers", 4, "concurrent callers in b's concurrent unary variant")
	fs.DurationVar(&o.MeanWHDuration, "meanwh-duration", time.Second, "length of each ImageMeanWH run in c")
	fs.StringVar(&o.ThreadConfigs, "thread-configs", "1x2,2x1,2x2", "workers x OpenCV threads compared in d")
	fs.DurationVar(&o.LiveDuration, "live-duration", time.Minute, "length of the live run in e (drift needs >= 20s)")
	fs.IntVar(&o.LiveWindow, "live-window", 2, "client window in e (framewire-capture's live default)")
	fs.IntVar(&o.MemBase, "mem-base", 500, "frames before the first RSS reading in f")
	fs.IntVar(&o.MemFrames, "mem-frames", 5000, "frames before the last RSS reading in f")
	fs.IntVar(&o.Streams, "streams", 8, "framewire-capture clients streaming the --video at once in m")
	fs.IntVar(&o.Cameras, "cameras", 32, "live test cameras (640x480, 5 fps) on one server in n")
	fs.DurationVar(&o.CamerasDuration, "cameras-duration", 2*time.Minute, "length of n's run (drift needs >= 60s)")
}

// defineInputFlags defines the flags that name files, folders and sources.
func defineInputFlags(o *rig.Options, fs *flag.FlagSet) {
	fs.StringVar(&o.Video, "video", vtestAVI, "video `file` whose first --frames frames are JPEG-encoded once and used by a-d and f; i runs all of it")
	fs.StringVar(&o.Model320, "model-320", filepath.Join("models", "nanodet", "nanodet-m-320.onnx"), "NanoDet-m 320 ONNX `file` (a, b, d, g, h, i; the project's own)")
	fs.StringVar(&o.Model416, "model-416", filepath.Join("..", "shared", "models", "nanodet", "nanodet-m-416.onnx"), "NanoDet-m 416 ONNX `file` (e)")
	fs.StringVar(&o.LiveSource, "live-source", livePipeline, "live `source` for e (opened by the capture package)")
	fs.StringVar(&o.Python, "python", "/usr/bin/python3", "Debian's Python `interpreter` (python3-opencv, python3-grpcio, python3-grpc-tools, python3-numpy) for i and j")
	fs.StringVar(&o.Scripts, "scripts", filepath.Join("scripts", "bench"), "`folder` of python_loop.py and meanwh_server.py")
	fs.StringVar(&o.Proto, "proto", filepath.Join("proto", "image_procedure.proto"), "the wire contract `file`, for j's Python stubs")
	fs.StringVar(&o.Labels, "labels", filepath.Join("server", "detect", "coco", "coco.names"), "COCO labels `file` for i's Python loop")
	fs.StringVar(&o.JSONOut, "json-out", "bench.json", "`file` to write the figures to as JSON (empty = none)")
	fs.StringVar(&o.TmpDir, "tmp", "", "`folder` for the output written during the run (default: the system's temp folder); removed afterwards")
}

// check says what is wrong with the parsed flags, if anything.
func check(o *rig.Options) error {
	for _, c := range o.Only {
		if !strings.ContainsRune("abcdefghijklmn", c) {
			return fmt.Errorf("--only %q: figures are a to n", o.Only)
		}
	}
	if o.Frames < 1 || o.Rounds < 1 || o.Window < 1 || o.LiveWindow < 1 || o.UnaryCallers < 1 || o.Streams < 1 || o.Cameras < 1 || o.CamerasDuration <= 0 {
		return errors.New("--frames, --rounds, --window, --live-window, --unary-callers, --streams, --cameras and --cameras-duration must be positive")
	}
	if o.Workers < 0 || o.CVThreads < 0 {
		return errors.New("--workers and --cv-threads must not be negative")
	}
	if o.MemBase < 1 || o.MemFrames <= o.MemBase {
		return errors.New("--mem-frames must be above --mem-base, which must be positive")
	}
	_, err := rig.ParseThreadConfigs(o.ThreadConfigs)
	return err
}

// setThreads fills in the default workers and OpenCV threads and sets the
// latter.
func setThreads(o *rig.Options) error {
	if o.Workers == 0 {
		o.Workers = cpus.Usable()
	}
	if o.CVThreads == 0 {
		o.CVThreads = detect.ThreadsPerWorker(o.Workers)
	}
	return detect.SetThreads(o.CVThreads)
}

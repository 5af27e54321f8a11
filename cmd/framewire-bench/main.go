// Command framewire-bench measures framewire on this machine in one run:
// the cost of the gRPC stream against the same pipeline called in-process,
// stream against unary calls, the tutorial's ImageMeanWH, how much of the
// cores inference gets, live latency and memory growth. It prints one line
// per figure, with its ratio and target, and writes the same as JSON.
//
// Ratios of variants measured side by side (A B A B ..., median of the
// rounds) are what count; absolute times depend on a shared machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/framewire/framewire/server/detect"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "framewire-bench:", err)
		}
		os.Exit(1)
	}
}

// vtestAVI is OpenCV's pedestrian clip from Debian's opencv-doc package.
const vtestAVI = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// livePipeline is a GStreamer stand-in for a 30 fps camera.
const livePipeline = "videotestsrc is-live=true ! video/x-raw,width=640,height=480,framerate=30/1 ! videoconvert ! appsink"

// options are the bench's flags; they are written into the JSON report.
type options struct {
	Only           string        `json:"only"`
	Video          string        `json:"video"`
	Frames         int           `json:"frames"`
	Rounds         int           `json:"rounds"`
	Workers        int           `json:"workers"`
	CVThreads      int           `json:"cv_threads"`
	Window         int           `json:"window"`
	Model320       string        `json:"model_320"`
	Model416       string        `json:"model_416"`
	UnaryCallers   int           `json:"unary_callers"`
	MeanWHDuration time.Duration `json:"meanwh_duration_ns"`
	ThreadConfigs  string        `json:"thread_configs"`
	LiveSource     string        `json:"live_source"`
	LiveDuration   time.Duration `json:"live_duration_ns"`
	LiveWindow     int           `json:"live_window"`
	MemBase        int           `json:"mem_base"`
	MemFrames      int           `json:"mem_frames"`
	Python         string        `json:"python"`
	Scripts        string        `json:"scripts"`
	Proto          string        `json:"proto"`
	Labels         string        `json:"labels"`
	JSONOut        string        `json:"-"`
	TmpDir         string        `json:"-"`
}

// usage is the text --help prints before the flags.
const usage = `Usage: framewire-bench [flags]

Measures, in one run, and prints one line per figure:
  a  stream overhead: gRPC stream over loopback TCP vs the pipeline in-process
  b  stream vs one unary DetectFrame call per frame
  c  ImageMeanWH over gRPC vs in-process, 416x416x3
  d  model utilisation: pipeline fps / forward-only fps, per workers x OpenCV threads
  e  live latency of a 30 fps GStreamer source through nanodet-416
  f  memory growth of the framewire-server binary (mean model)
  g  kserve offload: pipeline fps on --engine kserve to one framewire-server backend / on local ONNX Runtime, and the added latency per frame
  h  forward time of nanodet-320 per engine (onnxruntime, opencv), 1 and 2 threads
  i  the whole --video through framewire-capture and framewire-server per engine / the Python loop
     (scripts/bench/python_loop.py: cv2.dnn, NMS, drawing, one JPEG a frame)
  j  ImageMeanWH 416x416x3, 8 at once: framewire-server / the tutorial's Python server
     (scripts/bench/meanwh_server.py), the same pre-marshalled Go load client
A NanoDet file that is missing skips its figures with a line saying so.

Flags:
`

// parseFlags reads and checks the flags.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("framewire-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	o.defineRunFlags(fs)
	o.defineInputFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q (see --help)", fs.Args())
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	return o, nil
}

// defineRunFlags defines the flags that size the figures' runs.
func (o *options) defineRunFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.Only, "only", "abcdefghij", "`figures` to measure, e.g. ad")
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
}

// defineInputFlags defines the flags that name files, folders and sources.
func (o *options) defineInputFlags(fs *flag.FlagSet) {
	models := filepath.Join("..", "shared", "models", "nanodet")
	fs.StringVar(&o.Video, "video", vtestAVI, "video `file` whose first --frames frames are JPEG-encoded once and used by a-d and f; i runs all of it")
	fs.StringVar(&o.Model320, "model-320", filepath.Join(models, "nanodet-m-320.onnx"), "NanoDet-m 320 ONNX `file` (a, b, d)")
	fs.StringVar(&o.Model416, "model-416", filepath.Join(models, "nanodet-m-416.onnx"), "NanoDet-m 416 ONNX `file` (e)")
	fs.StringVar(&o.LiveSource, "live-source", livePipeline, "live `source` for e (opened by the capture package)")
	fs.StringVar(&o.Python, "python", "/usr/bin/python3", "Debian's Python `interpreter` (python3-opencv, python3-grpcio, python3-grpc-tools, python3-numpy) for i and j")
	fs.StringVar(&o.Scripts, "scripts", filepath.Join("scripts", "bench"), "`folder` of python_loop.py and meanwh_server.py")
	fs.StringVar(&o.Proto, "proto", filepath.Join("proto", "image_procedure.proto"), "the wire contract `file`, for j's Python stubs")
	fs.StringVar(&o.Labels, "labels", filepath.Join("server", "detect", "coco.names"), "COCO labels `file` for i's Python loop")
	fs.StringVar(&o.JSONOut, "json-out", "bench.json", "`file` to write the figures to as JSON (empty = none)")
	fs.StringVar(&o.TmpDir, "tmp", "", "`folder` for the output written during the run (default: the system's temp folder); removed afterwards")
}

// check says what is wrong with the parsed flags, if anything.
func (o *options) check() error {
	for _, c := range o.Only {
		if !strings.ContainsRune("abcdefghij", c) {
			return fmt.Errorf("--only %q: figures are a to j", o.Only)
		}
	}
	if o.Frames < 1 || o.Rounds < 1 || o.Window < 1 || o.LiveWindow < 1 || o.UnaryCallers < 1 {
		return errors.New("--frames, --rounds, --window, --live-window and --unary-callers must be positive")
	}
	if o.Workers < 0 || o.CVThreads < 0 {
		return errors.New("--workers and --cv-threads must not be negative")
	}
	if o.MemBase < 1 || o.MemFrames <= o.MemBase {
		return errors.New("--mem-frames must be above --mem-base, which must be positive")
	}
	_, err := parseThreadConfigs(o.ThreadConfigs)
	return err
}

// run measures the figures --only asks for and writes the report.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := o.setThreads(); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(o.TmpDir, "framewire-bench-")
	if err != nil {
		return fmt.Errorf("make a temp folder: %w", err)
	}
	defer os.RemoveAll(tmp)

	b := &bench{o: o, tmp: tmp, log: stderr, p: printer{w: stdout}}
	rep := newReport(o)
	fmt.Fprintf(stdout, "framewire-bench: %d CPUs (load %s), %d workers x %d OpenCV threads, %d frames, %d rounds (ratios are medians of paired rounds)\n",
		runtime.NumCPU(), rep.Host.LoadAvg[0], o.Workers, o.CVThreads, o.Frames, o.Rounds)
	runErr := b.runFigures(ctx, rep)
	b.closeFrames()
	rep.Duration = time.Since(rep.Started).Seconds()
	rep.Host.LoadAvg[1] = loadAvg()
	fmt.Fprintf(stdout, "done in %.0fs (load %s)\n", rep.Duration, rep.Host.LoadAvg[1])
	if o.JSONOut != "" {
		if err := writeJSON(o.JSONOut, rep); err != nil {
			return errors.Join(runErr, err)
		}
	}
	return runErr
}

// setThreads fills in the default workers and OpenCV threads and sets the
// latter.
func (o *options) setThreads() error {
	if o.Workers == 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.CVThreads == 0 {
		o.CVThreads = detect.ThreadsPerWorker(o.Workers)
	}
	return detect.SetThreads(o.CVThreads)
}

// newReport starts the report of a run with options o.
func newReport(o *options) *report {
	return &report{
		Started: time.Now(),
		Host: hostInfo{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), CVThreads: detect.Threads(),
			LoadAvg: [2]string{loadAvg()}},
		Config: *o,
	}
}

// runFigures measures the figures --only asks for, in order, into rep; it
// stops at the first error.
func (b *bench) runFigures(ctx context.Context, rep *report) error {
	steps := []struct {
		id  rune
		run func(context.Context) ([]figure, error)
	}{
		{'a', b.streamOverhead},
		{'b', b.streamVsUnary},
		{'c', b.meanWH},
		{'d', b.utilisation},
		{'e', b.live},
		{'f', b.memory},
		{'g', b.kserveCost},
		{'h', b.forwardPerEngine},
		{'i', b.pipelines},
		{'j', b.meanWHVsPython},
	}
	for _, s := range steps {
		if !strings.ContainsRune(b.o.Only, s.id) {
			continue
		}
		figs, err := s.run(ctx)
		rep.Figures = append(rep.Figures, figs...)
		if err != nil {
			return fmt.Errorf("figure %c: %w", s.id, err)
		}
	}
	return nil
}

// threadConfig is one workers x OpenCV threads setting.
type threadConfig struct{ workers, threads int }

func (c threadConfig) String() string { return fmt.Sprintf("%dx%d", c.workers, c.threads) }

// parseThreadConfigs reads "1x2,2x1".
func parseThreadConfigs(s string) ([]threadConfig, error) {
	var out []threadConfig
	for part := range strings.SplitSeq(s, ",") {
		var c threadConfig
		if _, err := fmt.Sscanf(strings.TrimSpace(part), "%dx%d", &c.workers, &c.threads); err != nil || c.workers < 1 || c.threads < 1 {
			return nil, fmt.Errorf("--thread-configs %q: want WORKERSxTHREADS,... with positive numbers", s)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

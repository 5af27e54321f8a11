package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/enginefig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/pipefig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/scalefig"
	"github.com/framewire/framewire/internal/cli"
	"github.com/framewire/framewire/server/detect"
)

func main() {
	cli.Main("framewire-bench", run)
}

// vtestAVI is OpenCV's pedestrian clip from Debian's opencv-doc package.
const vtestAVI = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// livePipeline is a GStreamer stand-in for a 30 fps camera.
const livePipeline = "videotestsrc is-live=true ! video/x-raw,width=640,height=480,framerate=30/1 ! videoconvert ! appsink"

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
  i  the whole --video through framewire-capture and framewire-server per engine (raw frames,
     the client's default on this machine) and with JPEG frames / the Python loop
     (scripts/bench/python_loop.py: cv2.dnn, NMS, drawing, one JPEG a frame)
  j  ImageMeanWH 416x416x3, 8 at once: framewire-server / the tutorial's Python server
     (scripts/bench/meanwh_server.py), the same pre-marshalled Go load client
  k  the tracker's time per frame with 50 moving boxes (target < 1 ms)
  l  CPU a frame of the whole --video, framewire-server + framewire-capture (NanoDet-320, and mean),
     from the processes' own accounting / the floor: decode, forward + blob, encode + write on one core;
     then the same once on 150-frame clips of the video at 320x240, 768x576 and 1920x1080 (ffmpeg)
  m  --streams framewire-capture clients of the --video at once on one server / one alone: total fps,
     and the slowest stream's fps / the fastest's
  n  --cameras live GStreamer test cameras (640x480, 5 fps) on one server for --cameras-duration:
     latency p50 against one round of the streams, p99 drift, fairness, drops, server RSS per camera
A NanoDet file that is missing skips its figures with a line saying so.

Flags:
`

// parseFlags reads and checks the flags.
func parseFlags(args []string, stderr io.Writer) (*rig.Options, error) {
	o := &rig.Options{}
	fs := cli.NewFlagSet("framewire-bench", usage, stderr)
	defineRunFlags(o, fs)
	defineInputFlags(o, fs)
	if err := fs.Parse(args); err != nil {
		return nil, cli.Usage(err)
	}
	if fs.NArg() > 0 {
		return nil, cli.Usagef("unexpected arguments %q (see --help)", fs.Args())
	}
	return o, cli.Usage(check(o))
}

// run measures the figures --only asks for and writes the report.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := setThreads(o); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(o.TmpDir, "framewire-bench-")
	if err != nil {
		return fmt.Errorf("make a temp folder: %w", err)
	}
	defer os.RemoveAll(tmp)

	b := &rig.Bench{O: o, Tmp: tmp, P: fig.Printer{W: stdout}}
	rep := newReport(o)
	fmt.Fprintf(stdout, "framewire-bench: %d CPUs (load %s), %d workers x %d OpenCV threads, %d frames, %d rounds (ratios are medians of paired rounds)\n",
		runtime.NumCPU(), rep.Host.LoadAvg[0], o.Workers, o.CVThreads, o.Frames, o.Rounds)
	runErr := runFigures(ctx, b, rep)
	b.CloseFrames()
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

// newReport starts the report of a run with options o.
func newReport(o *rig.Options) *report {
	return &report{
		Started: time.Now(),
		Host: hostInfo{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), CVThreads: detect.Threads(),
			LoadAvg: [2]string{loadAvg()}},
		Config: *o,
	}
}

// runFigures measures the figures --only asks for, in order, into rep; it
// stops at the first error.
func runFigures(ctx context.Context, b *rig.Bench, rep *report) error {
	p, e, s := pipefig.Bench{Bench: b}, enginefig.Bench{Bench: b}, scalefig.Bench{Bench: b}
	steps := []struct {
		id  rune
		run func(context.Context) ([]fig.Figure, error)
	}{
		{'a', p.StreamOverhead},
		{'b', p.StreamVsUnary},
		{'c', p.MeanWH},
		{'d', p.Utilisation},
		{'e', p.Live},
		{'f', p.Memory},
		{'g', e.KserveCost},
		{'h', e.ForwardPerEngine},
		{'i', e.Pipelines},
		{'j', e.MeanWHVsPython},
		{'k', e.TrackerCost},
		{'l', s.CPUPerFrame},
		{'m', s.Streams},
		{'n', s.Cameras},
	}
	for _, s := range steps {
		if !strings.ContainsRune(b.O.Only, s.id) {
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

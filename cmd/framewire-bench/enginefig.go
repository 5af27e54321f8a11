package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/framewire/framewire/cmd/internal/serverproc"
	"github.com/framewire/framewire/server/detect"
)

// localEngines are the engines h and i compare, the default first.
func localEngines() []string { return []string{detect.EngineONNXRuntime, detect.EngineOpenCV} }

// forwardPerEngine is figure h: the median time of one NanoDet-320 forward
// pass on each engine with 1 and 2 threads, the settings interleaved.
func (b *bench) forwardPerEngine(ctx context.Context) (figs []figure, err error) {
	m, err := nanodet("nanodet-320", b.o.Model320)
	if err != nil {
		f := skipped("h", "forward time per engine", err.Error())
		b.p.figure(f)
		return []figure{f}, nil
	}
	frames, err := b.loadFrames(ctx, 1)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, detect.SetThreads(b.o.CVThreads)) }()
	type setting struct {
		engine  string
		threads int
		d       []detect.Stager
		ms      []float64
	}
	var ss []*setting
	defer func() {
		for _, s := range ss {
			err = errors.Join(err, closeAll(s.d))
		}
	}()
	for _, e := range localEngines() {
		for _, t := range []int{1, 2} {
			s := &setting{engine: e, threads: t}
			spec := m
			spec.cfg.Engine, spec.cfg.Threads = e, t
			if s.d, err = stagers(spec, 1, frames[0]); err != nil {
				return nil, fmt.Errorf("%s: %w", e, err)
			}
			ss = append(ss, s)
		}
	}
	for round := range 2*b.o.Rounds + 1 { // round 0 warms up
		for _, s := range ss {
			if err := detect.SetThreads(s.threads); err != nil { // OpenCV's threads are process-wide
				return nil, err
			}
			t, err := forwardTime(s.d[0], fwdSamples)
			if err != nil {
				return nil, err
			}
			if round > 0 {
				s.ms = append(s.ms, ms(t))
			}
		}
	}
	var vals []value
	for _, s := range ss {
		vals = append(vals, value{fmt.Sprintf("%s %d thread(s)", s.engine, s.threads), median(s.ms), "ms"})
	}
	f := newFigure("h", "forward nanodet-320, one at a time", "opencv/onnxruntime ms, 2 thr",
		median(ss[3].ms)/median(ss[1].ms), nil, vals...)
	b.p.figure(f)
	return []figure{f}, nil
}

// pyLoopResult is python_loop.py's JSON line.
type pyLoopResult struct {
	Frames  int     `json:"frames"`
	Seconds float64 `json:"seconds"`
	FPS     float64 `json:"fps"`
	Threads int     `json:"threads"`
}

// pipelines is figure i: the whole of vtest.avi through framewire-capture
// and framewire-server (the real binaries, NanoDet-320, every frame
// annotated and written) on each engine, against python_loop.py on the
// same file and model, the three interleaved round by round.
func (b *bench) pipelines(ctx context.Context) (figs []figure, err error) {
	m, err := nanodet("nanodet-320", b.o.Model320)
	if err == nil {
		err = pythonHas(b.o.Python, "cv2", "numpy")
	}
	if err != nil {
		f := skipped("i", "pipeline vs python loop", err.Error())
		b.p.figure(f)
		return []figure{f}, nil
	}
	dir := filepath.Join(b.tmp, "pipelines")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make %s: %w", dir, err)
	}
	srvBin, err := serverproc.Build(ctx, dir)
	if err != nil {
		return nil, err
	}
	capBin, err := goBuild(ctx, dir, "cmd/framewire-capture")
	if err != nil {
		return nil, err
	}
	variants := make([]func() (float64, error), 0, len(localEngines())+1)
	for _, e := range localEngines() {
		out := filepath.Join(dir, "out-"+e)
		srv, err := serverproc.Start(ctx, srvBin, "--out", out, "--model", detect.KindNanodet,
			"--model-file", m.cfg.ModelFile, "--engine", e, "--workers", strconv.Itoa(b.o.Workers))
		if err != nil {
			return nil, err
		}
		defer func() { err = errors.Join(err, srv.Stop()) }()
		variants = append(variants, func() (float64, error) { return b.runCapture(ctx, capBin, srv.Addr, out) })
	}
	variants = append(variants, func() (float64, error) { return b.runPythonLoop(ctx, m.cfg.ModelFile, dir) })
	s, err := interleave(b.o.Rounds, variants...)
	if err != nil {
		return nil, err
	}
	return b.pipelineFigures(s), nil
}

// pipelineFigures prints and returns i's figures from its samples:
// framewire on each engine, then the Python loop.
func (b *bench) pipelineFigures(s [][]float64) []figure {
	py := s[len(s)-1]
	pyVal := value{"python loop (cv2.dnn)", median(py), " fps"}
	var figs []figure
	for i, e := range localEngines() {
		var t *target
		if e == detect.EngineDefault {
			t = &target{">=", 2.5}
		}
		f := newFigure("i", "vtest.avi nanodet-320: framewire "+e+" / python", "fps ratio", pairedRatio(s[i], py), t,
			value{"framewire " + e, median(s[i]), " fps"}, pyVal)
		b.p.figure(f)
		figs = append(figs, f)
	}
	return figs
}

// runCapture streams the video through framewire-capture to the server at
// addr, whose output folder is out, and returns frames per second over the
// client's whole run (its start included).
func (b *bench) runCapture(ctx context.Context, bin, addr, out string) (float64, error) {
	name := b.streamName("capture")
	defer os.RemoveAll(filepath.Join(out, name))
	d, _, err := runTimed(ctx, bin, "--server", addr, "--source", b.o.Video, "--name", name, "--quiet")
	if err != nil {
		return 0, err
	}
	n, err := countLines(filepath.Join(out, name, "predictions.jsonl"))
	if err != nil {
		return 0, err
	}
	return float64(n) / d.Seconds(), nil
}

// runPythonLoop runs python_loop.py on the video and returns its fps (its
// loop only, without the interpreter's start and the model load).
func (b *bench) runPythonLoop(ctx context.Context, model, dir string) (float64, error) {
	out := filepath.Join(dir, b.streamName("python"))
	defer os.RemoveAll(out)
	args := []string{filepath.Join(b.o.Scripts, "python_loop.py"), b.o.Video, model, out}
	if _, err := os.Stat(b.o.Labels); err == nil {
		args = append(args, "--labels", b.o.Labels)
	}
	_, stdout, err := runTimed(ctx, b.o.Python, args...)
	if err != nil {
		return 0, err
	}
	var r pyLoopResult
	if err := json.Unmarshal([]byte(lastLine(string(stdout))), &r); err != nil {
		return 0, fmt.Errorf("python_loop.py printed %q: %w", stdout, err)
	}
	if r.Frames == 0 || r.FPS <= 0 {
		return 0, fmt.Errorf("python_loop.py processed no frames: %s", stdout)
	}
	return r.FPS, nil
}

// countLines counts the lines of a file.
func countLines(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	n := 0
	for _, c := range data {
		if c == '\n' {
			n++
		}
	}
	return n, nil
}

package enginefig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	"github.com/framewire/framewire/internal/serverproc"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/store/folder"
)

// localEngines are the engines h and i compare, the default first.
func localEngines() []string { return []string{detect.EngineONNXRuntime, detect.EngineOpenCV} }

// ForwardPerEngine is figure h: the median time of one NanoDet-320 forward
// pass on each engine with 1 and 2 threads, the settings interleaved.
func (b *Bench) ForwardPerEngine(ctx context.Context) (figs []fig.Figure, err error) {
	m, err := rig.Nanodet("nanodet-320", b.O.Model320)
	if err != nil {
		return b.Skip("h", "forward time per engine", err.Error()), nil
	}
	frames, err := b.LoadFrames(ctx, 1)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, detect.SetThreads(b.O.CVThreads)) }()
	var ss []*engineSetting
	defer func() {
		for _, s := range ss {
			err = errors.Join(err, rig.CloseAll(s.d))
		}
	}()
	if ss, err = engineSettings(m, frames[0]); err != nil {
		return nil, err
	}
	for round := range 2*b.O.Rounds + 1 { // round 0 warms up
		for _, s := range ss {
			if err := s.time(round > 0); err != nil {
				return nil, err
			}
		}
	}
	var vals []fig.Value
	for _, s := range ss {
		vals = append(vals, fig.Value{Name: fmt.Sprintf("%s %d thread(s)", s.engine, s.threads), Value: fig.Median(s.ms), Unit: "ms"})
	}
	at2 := func(engine string) float64 { return fig.Median(findSetting(ss, engine, 2).ms) }
	f := fig.NewFigure("h", "forward nanodet-320, one at a time", "opencv/onnxruntime ms, 2 thr",
		at2(detect.EngineOpenCV)/at2(detect.EngineONNXRuntime), nil, vals...)
	b.P.Figure(f)
	return []fig.Figure{f}, nil
}

// findSetting is the setting of engine with threads among ss.
func findSetting(ss []*engineSetting, engine string, threads int) *engineSetting {
	i := slices.IndexFunc(ss, func(s *engineSetting) bool { return s.engine == engine && s.threads == threads })
	return ss[i]
}

// engineSetting is one engine and thread count of figure h, its detector
// and the forward times measured.
type engineSetting struct {
	engine  string
	threads int
	d       []detect.Stager
	ms      []float64
}

// engineSettings builds a detector of m for each local engine with 1 and
// 2 threads; on error it returns the ones it built, for the caller to close.
func engineSettings(m rig.ModelSpec, frame *pb.Frame) (ss []*engineSetting, err error) {
	for _, e := range localEngines() {
		for _, t := range []int{1, 2} {
			s := &engineSetting{engine: e, threads: t}
			spec := m
			spec.Cfg.Engine, spec.Cfg.Threads = e, t
			if s.d, err = rig.Stagers(spec, 1, frame); err != nil {
				return ss, fmt.Errorf("%s: %w", e, err)
			}
			ss = append(ss, s)
		}
	}
	return ss, nil
}

// time times s's forward pass, keeping the time if keep is set.
func (s *engineSetting) time(keep bool) error {
	if err := detect.SetThreads(s.threads); err != nil { // OpenCV's threads are process-wide
		return err
	}
	t, err := rig.ForwardTime(s.d[0], rig.FwdSamples)
	if err != nil {
		return err
	}
	if keep {
		s.ms = append(s.ms, fig.MS(t))
	}
	return nil
}

// pyLoopResult is python_loop.py's JSON line.
type pyLoopResult struct {
	Frames  int     `json:"frames"`
	Seconds float64 `json:"seconds"`
	FPS     float64 `json:"fps"`
	Threads int     `json:"threads"`
}

// pipeline is one framewire variant of figure i: the server's engine and
// how the client sends frames.
type pipeline struct{ engine, encoding string }

func (p pipeline) String() string { return p.engine + " " + p.encoding }

// pipelines are i's framewire variants: each engine as a user runs it
// (the client's default, raw pixels to a server on this machine), and the
// default engine with JPEG frames, as a client on another machine sends.
// The default engine's raw variant comes first, its JPEG one last.
func pipelines() []pipeline {
	ps := []pipeline{{detect.EngineDefault, "raw"}}
	for _, e := range localEngines() {
		if e != detect.EngineDefault {
			ps = append(ps, pipeline{e, "raw"})
		}
	}
	return append(ps, pipeline{detect.EngineDefault, "jpeg"})
}

// Pipelines is figure i: the whole of vtest.avi through framewire-capture
// and framewire-server (the real binaries, NanoDet-320, every frame
// annotated and written) on each engine, against python_loop.py on the
// same file and model, all interleaved round by round.
func (b *Bench) Pipelines(ctx context.Context) (figs []fig.Figure, err error) {
	m, err := rig.Nanodet("nanodet-320", b.O.Model320)
	if err == nil {
		err = rig.PythonHas(b.O.Python, "cv2", "numpy")
	}
	if err != nil {
		return b.Skip("i", "pipeline vs python loop", err.Error()), nil
	}
	dir := filepath.Join(b.Tmp, "pipelines")
	srvBin, capBin, err := buildPipelines(ctx, dir)
	if err != nil {
		return nil, err
	}
	var variants []func() (float64, error)
	servers := map[string]*serverproc.Proc{}
	for _, p := range pipelines() {
		srv := servers[p.engine]
		if srv == nil {
			if srv, err = startPipelineServer(ctx, srvBin, filepath.Join(dir, "out-"+p.engine), m.Cfg.ModelFile, p.engine, b.O.Workers); err != nil {
				return nil, err
			}
			servers[p.engine] = srv
			defer func() { err = errors.Join(err, srv.Stop()) }()
		}
		variants = append(variants, func() (float64, error) {
			return b.runCapture(ctx, capBin, srv.Addr, filepath.Join(dir, "out-"+p.engine), "--encoding", p.encoding)
		})
	}
	variants = append(variants, func() (float64, error) { return b.runPythonLoop(ctx, m.Cfg.ModelFile, dir) })
	s, err := fig.Interleave(b.O.Rounds, variants...)
	if err != nil {
		return nil, err
	}
	return b.pipelineFigures(s), nil
}

// startPipelineServer starts framewire-server on NanoDet with engine.
func startPipelineServer(ctx context.Context, bin, out, model, engine string, workers int) (*serverproc.Proc, error) {
	return serverproc.Start(ctx, bin, "--out", out, "--model", detect.KindNanodet,
		"--model-file", model, "--engine", engine, "--workers", strconv.Itoa(workers))
}

// buildPipelines makes dir and builds framewire-server and
// framewire-capture into it.
func buildPipelines(ctx context.Context, dir string) (srvBin, capBin string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("make %s: %w", dir, err)
	}
	if srvBin, err = serverproc.Build(ctx, dir); err != nil {
		return "", "", err
	}
	capBin, err = rig.GoBuild(ctx, dir, "cmd/framewire-capture")
	return srvBin, capBin, err
}

// pipelineFigures prints and returns i's figures from its samples:
// framewire's variants, then the Python loop; last, raw against JPEG
// frames on the default engine.
func (b *Bench) pipelineFigures(s [][]float64) []fig.Figure {
	py := s[len(s)-1]
	pyVal := fig.Value{Name: "python loop (cv2.dnn)", Value: fig.Median(py), Unit: " fps"}
	var figs []fig.Figure
	ps := pipelines()
	for i, p := range ps {
		var t *fig.Target
		if i == 0 {
			t = &fig.Target{Op: ">=", Bound: 2.5}
		}
		f := fig.NewFigure("i", "vtest.avi nanodet-320: framewire "+p.String()+" / python", "fps ratio", fig.PairedRatio(s[i], py), t,
			fig.Value{Name: "framewire " + p.String(), Value: fig.Median(s[i]), Unit: " fps"}, pyVal)
		b.P.Figure(f)
		figs = append(figs, f)
	}
	jpeg := len(ps) - 1
	f := fig.NewFigure("i", "vtest.avi nanodet-320: framewire "+ps[0].String()+" / "+ps[jpeg].String(), "fps ratio", fig.PairedRatio(s[0], s[jpeg]), nil,
		fig.Value{Name: ps[0].String(), Value: fig.Median(s[0]), Unit: " fps"}, fig.Value{Name: ps[jpeg].String(), Value: fig.Median(s[jpeg]), Unit: " fps"})
	b.P.Figure(f)
	return append(figs, f)
}

// runCapture streams the video through framewire-capture to the server at
// addr, whose output folder is out, with args added, and returns frames per second over the
// client's whole run (its start included).
func (b *Bench) runCapture(ctx context.Context, bin, addr, out string, args ...string) (float64, error) {
	name := b.StreamName("capture")
	defer os.RemoveAll(filepath.Join(out, name))
	d, _, err := rig.RunTimed(ctx, bin, append([]string{"--server", addr, "--source", b.O.Video, "--name", name, "--quiet"}, args...)...)
	if err != nil {
		return 0, err
	}
	n, err := rig.CountLines(filepath.Join(out, name, folder.PredictionsFile))
	if err != nil {
		return 0, err
	}
	return float64(n) / d.Seconds(), nil
}

// runPythonLoop runs python_loop.py on the video and returns its fps (its
// loop only, without the interpreter's start and the model load).
func (b *Bench) runPythonLoop(ctx context.Context, model, dir string) (float64, error) {
	out := filepath.Join(dir, b.StreamName("python"))
	defer os.RemoveAll(out)
	args := []string{filepath.Join(b.O.Scripts, "python_loop.py"), b.O.Video, model, out}
	if _, err := os.Stat(b.O.Labels); err == nil {
		args = append(args, "--labels", b.O.Labels)
	}
	_, stdout, err := rig.RunTimed(ctx, b.O.Python, args...)
	if err != nil {
		return 0, err
	}
	var r pyLoopResult
	if err := json.Unmarshal([]byte(rig.LastLine(string(stdout))), &r); err != nil {
		return 0, fmt.Errorf("python_loop.py printed %q: %w", stdout, err)
	}
	if r.Frames == 0 || r.FPS <= 0 {
		return 0, fmt.Errorf("python_loop.py processed no frames: %s", stdout)
	}
	return r.FPS, nil
}

package pipefig

import (
	"context"
	"errors"
	"math"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
)

// utilConfig is one workers x threads setting of figure d with its rig and
// forward-only detectors, and what its rounds measured.
type utilConfig struct {
	rig.ThreadConfig
	r  *rig.Rig
	ds []detect.Stager

	pipe, fwd []float64 // fps of the pipeline and of forward passes only
	single    []float64 // ms of one forward pass alone
}

// Utilisation is figure d: for each workers x OpenCV threads setting, the
// pipeline's fps over what the same workers reach doing only forward
// passes, and which setting gives the most frames per second.
func (b *Bench) Utilisation(ctx context.Context) (figs []fig.Figure, err error) {
	m, err := rig.Nanodet("nanodet-320", b.O.Model320)
	if err != nil {
		return b.Skip("d", "model utilisation", err.Error()), nil
	}
	frames, err := b.LoadFrames(ctx, b.O.Frames)
	if err != nil {
		return nil, err
	}
	tcs, err := rig.ParseThreadConfigs(b.O.ThreadConfigs)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, detect.SetThreads(b.O.CVThreads)) }()
	var cfgs []*utilConfig
	defer func() {
		for _, c := range cfgs {
			err = errors.Join(err, c.r.Close(), rig.CloseAll(c.ds))
		}
	}()
	if cfgs, err = b.utilConfigs(m, tcs, frames[0]); err != nil {
		return nil, err
	}
	// Twice the rounds on half the frames: the settings take turns more
	// often, so a burst of load from other processes hits all of them.
	frames = frames[:max(1, len(frames)/2)]
	for round := range 2*b.O.Rounds + 1 { // round 0 warms up
		for _, c := range cfgs {
			if err := b.utilRound(ctx, c, frames, round); err != nil {
				return nil, err
			}
		}
	}
	return b.utilFigures(cfgs), nil
}

// utilConfigs builds a rig and forward-only detectors for each setting;
// on error it returns the ones it built, for the caller to close.
func (b *Bench) utilConfigs(m rig.ModelSpec, tcs []rig.ThreadConfig, frame *pb.Frame) (cfgs []*utilConfig, err error) {
	for _, tc := range tcs {
		c := &utilConfig{ThreadConfig: tc}
		if c.r, err = b.NewRig(m, tc.Workers, b.O.Window); err != nil {
			return cfgs, err
		}
		cfgs = append(cfgs, c)
		if c.ds, err = rig.Stagers(m, tc.Workers, frame); err != nil {
			return cfgs, err
		}
	}
	return cfgs, nil
}

// utilRound measures c once: the pipeline in-process, forward passes only
// and one forward alone; round 0 warms up on a few frames and keeps
// nothing.
func (b *Bench) utilRound(ctx context.Context, c *utilConfig, frames []*pb.Frame, round int) error {
	if err := detect.SetThreads(c.Threads); err != nil {
		return err
	}
	if round == 0 {
		frames = frames[:min(len(frames), rig.WarmUpFrames)]
	}
	p, err := b.RunInProcess(ctx, c.r, frames)
	if err != nil {
		return err
	}
	f, err := rig.ForwardOnly(c.ds, len(frames))
	if err != nil {
		return err
	}
	t, err := rig.ForwardTime(c.ds[0], rig.FwdSamples)
	if err != nil {
		return err
	}
	if round > 0 {
		c.pipe, c.fwd, c.single = append(c.pipe, p), append(c.fwd, f), append(c.single, fig.MS(t))
	}
	return nil
}

// utilFigures prints and returns d's figure per setting, then the
// threading figure for the best one.
func (b *Bench) utilFigures(cfgs []*utilConfig) (figs []fig.Figure) {
	best := 0
	var all []fig.Value
	for i, c := range cfgs {
		f := fig.NewFigure("d", "model utilisation nanodet-320 "+c.String(), "pipeline/forward-only fps",
			fig.PairedRatio(c.pipe, c.fwd), &fig.Target{Op: ">=", Bound: 0.90},
			fig.Value{Name: "pipeline", Value: fig.Median(c.pipe), Unit: " fps"}, fig.Value{Name: "forward-only", Value: fig.Median(c.fwd), Unit: " fps"},
			fig.Value{Name: "one forward alone", Value: fig.Median(c.single), Unit: "ms"})
		b.P.Figure(f)
		figs = append(figs, f)
		if fig.Median(c.pipe) > fig.Median(cfgs[best].pipe) {
			best = i
		}
		all = append(all, fig.Value{Name: c.String(), Value: fig.Median(c.pipe), Unit: " fps"})
	}
	f := threadingFigure(cfgs, best, all)
	b.P.Figure(f)
	return append(figs, f)
}

// threadingFigure is the utilisation: the best setting's pipeline
// fps over 1 / the fastest pure forward time of one net alone (any thread
// count); and, stricter, over the most forward passes per second any
// setting reached doing nothing else.
func threadingFigure(cfgs []*utilConfig, best int, all []fig.Value) fig.Figure {
	fastest, bestFwd := math.Inf(1), 0.0
	for _, c := range cfgs {
		fastest = min(fastest, fig.Median(c.single))
		bestFwd = max(bestFwd, fig.Median(c.fwd))
	}
	bestPipe := fig.Median(cfgs[best].pipe)
	all = append(all, fig.Value{Name: "pure forward", Value: fastest, Unit: "ms"}, fig.Value{Name: "pipeline/best forward-only", Value: bestPipe / bestFwd, Unit: ""})
	return fig.NewFigure("d", "threading: best workers x threads "+cfgs[best].String(), "fps x pure forward time",
		bestPipe*fastest/1000, &fig.Target{Op: ">=", Bound: 0.90}, all...)
}

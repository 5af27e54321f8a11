package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"gocv.io/x/gocv"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
)

// stagers makes n detectors of m that can run their forward pass alone,
// each prepared with frame. The caller closes them with closeAll.
func stagers(m modelSpec, n int, frame *pb.Frame) ([]detect.Stager, error) {
	img, err := gocv.IMDecode(frame.GetData(), gocv.IMReadColor)
	if err != nil {
		return nil, fmt.Errorf("decode frame: %w", err)
	}
	defer img.Close()
	var out []detect.Stager
	for range n {
		d, err := detect.New(m.cfg)
		if err != nil {
			return nil, errors.Join(err, closeAll(out))
		}
		s, ok := d.(detect.Stager)
		if !ok {
			return nil, errors.Join(fmt.Errorf("%s cannot run its forward pass alone", m.name), d.Close(), closeAll(out))
		}
		out = append(out, s)
		if err := s.Prepare(img); err != nil {
			return nil, errors.Join(err, closeAll(out))
		}
	}
	return out, nil
}

func closeAll(ds []detect.Stager) error {
	var errs []error
	for _, d := range ds {
		errs = append(errs, d.Close())
	}
	return errors.Join(errs...)
}

// forwardOnly runs n forward passes spread over the detectors, one
// goroutine each, and returns forward passes per second: what the cores
// deliver when they do nothing but inference.
func forwardOnly(ds []detect.Stager, n int) (float64, error) {
	errs := make([]error, len(ds))
	var wg sync.WaitGroup
	start := time.Now()
	for i, d := range ds {
		share := n / len(ds)
		if i < n%len(ds) {
			share++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range share {
				if err := d.Forward(); err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	return float64(n) / el.Seconds(), nil
}

// forwardTime is the median time of one forward pass of d alone.
func forwardTime(d detect.Stager, n int) (time.Duration, error) {
	ts := make([]time.Duration, 0, n)
	for range n {
		t := time.Now()
		if err := d.Forward(); err != nil {
			return 0, err
		}
		ts = append(ts, time.Since(t))
	}
	return quantile(ts, 0.5), nil
}

// fwdSamples is how many forward passes forwardTime times.
const fwdSamples = 15

// utilConfig is one workers x threads setting of figure d with its rig and
// forward-only detectors, and what its rounds measured.
type utilConfig struct {
	threadConfig
	r  *rig
	ds []detect.Stager

	pipe, fwd []float64 // fps of the pipeline and of forward passes only
	single    []float64 // ms of one forward pass alone
}

// utilisation is figure d: for each workers x OpenCV threads setting, the
// pipeline's fps over what the same workers reach doing only forward
// passes, and which setting gives the most frames per second.
func (b *bench) utilisation(ctx context.Context) (figs []figure, err error) {
	m, err := nanodet("nanodet-320", b.o.Model320)
	if err != nil {
		return b.skip("d", "model utilisation", err.Error()), nil
	}
	frames, err := b.loadFrames(ctx, b.o.Frames)
	if err != nil {
		return nil, err
	}
	tcs, err := parseThreadConfigs(b.o.ThreadConfigs)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, detect.SetThreads(b.o.CVThreads)) }()
	var cfgs []*utilConfig
	defer func() {
		for _, c := range cfgs {
			err = errors.Join(err, c.r.close(), closeAll(c.ds))
		}
	}()
	if cfgs, err = b.utilConfigs(m, tcs, frames[0]); err != nil {
		return nil, err
	}
	// Twice the rounds on half the frames: the settings take turns more
	// often, so a burst of load from other processes hits all of them.
	frames = frames[:max(1, len(frames)/2)]
	for round := range 2*b.o.Rounds + 1 { // round 0 warms up
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
func (b *bench) utilConfigs(m modelSpec, tcs []threadConfig, frame *pb.Frame) (cfgs []*utilConfig, err error) {
	for _, tc := range tcs {
		c := &utilConfig{threadConfig: tc}
		if c.r, err = b.newRig(m, tc.workers, b.o.Window); err != nil {
			return cfgs, err
		}
		cfgs = append(cfgs, c)
		if c.ds, err = stagers(m, tc.workers, frame); err != nil {
			return cfgs, err
		}
	}
	return cfgs, nil
}

// utilRound measures c once: the pipeline in-process, forward passes only
// and one forward alone; round 0 warms up on a few frames and keeps
// nothing.
func (b *bench) utilRound(ctx context.Context, c *utilConfig, frames []*pb.Frame, round int) error {
	if err := detect.SetThreads(c.threads); err != nil {
		return err
	}
	if round == 0 {
		frames = frames[:min(len(frames), warmUpFrames)]
	}
	p, err := b.runInProcess(ctx, c.r, frames)
	if err != nil {
		return err
	}
	f, err := forwardOnly(c.ds, len(frames))
	if err != nil {
		return err
	}
	t, err := forwardTime(c.ds[0], fwdSamples)
	if err != nil {
		return err
	}
	if round > 0 {
		c.pipe, c.fwd, c.single = append(c.pipe, p), append(c.fwd, f), append(c.single, ms(t))
	}
	return nil
}

// utilFigures prints and returns d's figure per setting, then the
// threading figure for the best one.
func (b *bench) utilFigures(cfgs []*utilConfig) (figs []figure) {
	best := 0
	var all []value
	for i, c := range cfgs {
		f := newFigure("d", "model utilisation nanodet-320 "+c.String(), "pipeline/forward-only fps",
			pairedRatio(c.pipe, c.fwd), &target{">=", 0.90},
			value{"pipeline", median(c.pipe), " fps"}, value{"forward-only", median(c.fwd), " fps"},
			value{"one forward alone", median(c.single), "ms"})
		b.p.figure(f)
		figs = append(figs, f)
		if median(c.pipe) > median(cfgs[best].pipe) {
			best = i
		}
		all = append(all, value{c.String(), median(c.pipe), " fps"})
	}
	f := threadingFigure(cfgs, best, all)
	b.p.figure(f)
	return append(figs, f)
}

// threadingFigure is the utilisation: the best setting's pipeline
// fps over 1 / the fastest pure forward time of one net alone (any thread
// count); and, stricter, over the most forward passes per second any
// setting reached doing nothing else.
func threadingFigure(cfgs []*utilConfig, best int, all []value) figure {
	fastest, bestFwd := math.Inf(1), 0.0
	for _, c := range cfgs {
		fastest = min(fastest, median(c.single))
		bestFwd = max(bestFwd, median(c.fwd))
	}
	bestPipe := median(cfgs[best].pipe)
	all = append(all, value{"pure forward", fastest, "ms"}, value{"pipeline/best forward-only", bestPipe / bestFwd, ""})
	return newFigure("d", "threading: best workers x threads "+cfgs[best].String(), "fps x pure forward time",
		bestPipe*fastest/1000, &target{">=", 0.90}, all...)
}

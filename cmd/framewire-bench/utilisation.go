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
// forward-only detectors.
type utilConfig struct {
	threadConfig
	r  *rig
	ds []detect.Stager
}

// utilisation is figure d: for each workers x OpenCV threads setting, the
// pipeline's fps over what the same workers reach doing only forward
// passes, and which setting gives the most frames per second.
func (b *bench) utilisation(ctx context.Context) (figs []figure, err error) {
	m, err := nanodet("nanodet-320", b.o.Model320)
	if err != nil {
		f := skipped("d", "model utilisation", err.Error())
		b.p.figure(f)
		return []figure{f}, nil
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
	for _, tc := range tcs {
		c := &utilConfig{threadConfig: tc}
		if c.r, err = b.newRig(m, tc.workers, b.o.Window); err != nil {
			return nil, err
		}
		cfgs = append(cfgs, c)
		if c.ds, err = stagers(m, tc.workers, frames[0]); err != nil {
			return nil, err
		}
	}
	pipe := make([][]float64, len(cfgs))
	fwd := make([][]float64, len(cfgs))
	single := make([][]float64, len(cfgs))
	// Twice the rounds on half the frames: the settings take turns more
	// often, so a burst of load from other processes hits all of them.
	frames = frames[:max(1, len(frames)/2)]
	for round := range 2*b.o.Rounds + 1 { // round 0 warms up
		for i, c := range cfgs {
			if err := detect.SetThreads(c.threads); err != nil {
				return nil, err
			}
			fs := frames
			if round == 0 {
				fs = frames[:min(len(frames), warmUpFrames)]
			}
			p, err := b.runInProcess(ctx, c.r, fs)
			if err != nil {
				return nil, err
			}
			f, err := forwardOnly(c.ds, len(fs))
			if err != nil {
				return nil, err
			}
			t, err := forwardTime(c.ds[0], fwdSamples)
			if err != nil {
				return nil, err
			}
			if round > 0 {
				pipe[i] = append(pipe[i], p)
				fwd[i] = append(fwd[i], f)
				single[i] = append(single[i], ms(t))
			}
		}
	}
	best := 0
	var all []value
	for i, c := range cfgs {
		f := newFigure("d", "model utilisation nanodet-320 "+c.String(), "pipeline/forward-only fps",
			pairedRatio(pipe[i], fwd[i]), &target{">=", 0.90},
			value{"pipeline", median(pipe[i]), " fps"}, value{"forward-only", median(fwd[i]), " fps"},
			value{"one forward alone", median(single[i]), "ms"})
		b.p.figure(f)
		figs = append(figs, f)
		if median(pipe[i]) > median(pipe[best]) {
			best = i
		}
		all = append(all, value{c.String(), median(pipe[i]), " fps"})
	}
	// The utilisation: the best setting's pipeline fps over 1 /
	// the fastest pure forward time of one net alone (any thread count);
	// and, stricter, over the most forward passes per second any setting
	// reached doing nothing else.
	fastest, bestFwd := math.Inf(1), 0.0
	for i := range cfgs {
		fastest = min(fastest, median(single[i]))
		bestFwd = max(bestFwd, median(fwd[i]))
	}
	all = append(all, value{"pure forward", fastest, "ms"}, value{"pipeline/best forward-only", median(pipe[best]) / bestFwd, ""})
	f := newFigure("d", "threading: best workers x threads "+cfgs[best].String(), "fps x pure forward time",
		median(pipe[best])*fastest/1000, &target{">=", 0.90}, all...)
	b.p.figure(f)
	return append(figs, f), nil
}

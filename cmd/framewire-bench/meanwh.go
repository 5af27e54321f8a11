package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	pb "github.com/framewire/framewire/proto"
)

// meanWHSide is the tutorial's workload: 416x416x3 random bytes.
const meanWHSide = 416

// callStats are the calls of one ImageMeanWH run.
type callStats struct {
	perSec float64
	lat    []time.Duration
}

// hammer calls call from conc goroutines until d has passed and returns the
// rate and every call's latency.
func hammer(ctx context.Context, conc int, d time.Duration, call func(context.Context) error) (callStats, error) {
	calls := make([]func(context.Context) error, conc)
	for g := range calls {
		calls[g] = call
	}
	return hammerWith(ctx, d, calls)
}

// hammerWith runs each of calls in a loop in a goroutine of its own until
// d has passed and returns the rate and every call's latency.
func hammerWith(ctx context.Context, d time.Duration, calls []func(context.Context) error) (callStats, error) {
	conc := len(calls)
	lats := make([][]time.Duration, conc)
	errs := make([]error, conc)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for g, call := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				if err := call(ctx); err != nil {
					errs[g] = err
					return
				}
				lats[g] = append(lats[g], time.Since(t))
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	var all []time.Duration
	for g := range conc {
		if errs[g] != nil {
			return callStats{}, errs[g]
		}
		all = append(all, lats[g]...)
	}
	return callStats{perSec: float64(len(all)) / el.Seconds(), lat: all}, nil
}

// meanWH is figure c: ImageMeanWH over loopback gRPC against the same
// Service method called in-process, at concurrency 1 and 8.
func (b *bench) meanWH(ctx context.Context) ([]figure, error) {
	r, err := b.newRig(meanModel(), b.o.Workers, b.o.Window)
	if err != nil {
		return nil, err
	}
	defer r.close()
	px := make([]byte, meanWHSide*meanWHSide*3)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range px {
		px[i] = byte(rng.Uint32())
	}
	req := &pb.B64Image{B64Image: base64.StdEncoding.EncodeToString(px), Width: meanWHSide, Height: meanWHSide}
	check := func(p *pb.Prediction, err error) error {
		if err != nil {
			return fmt.Errorf("ImageMeanWH: %w", err)
		}
		if p.GetChannel() != 3 {
			return fmt.Errorf("ImageMeanWH: %d channels, want 3", p.GetChannel())
		}
		return nil
	}
	inproc := func(ctx context.Context) error { return check(r.svc.ImageMeanWH(ctx, req)) }
	remote := func(ctx context.Context) error { return check(r.rpc.ImageMeanWH(ctx, req)) }

	var figs []figure
	for _, conc := range []int{1, 8} {
		var in, gr []callStats
		run := func(call func(context.Context) error, into *[]callStats) func() (float64, error) {
			return func() (float64, error) {
				s, err := hammer(ctx, conc, b.o.MeanWHDuration, call)
				*into = append(*into, s)
				return s.perSec, err
			}
		}
		if _, err := hammer(ctx, conc, b.o.MeanWHDuration/4, remote); err != nil {
			return figs, err
		}
		s, err := interleave(b.o.Rounds, run(inproc, &in), run(remote, &gr))
		if err != nil {
			return figs, err
		}
		f := newFigure("c", fmt.Sprintf("ImageMeanWH 416x416x3, %d at once", conc), "grpc/in-process calls/s",
			pairedRatio(s[1], s[0]), nil,
			value{"grpc", median(s[1]), "/s"},
			value{"p50", medianQuantile(gr, 0.50), "ms"}, value{"p99", medianQuantile(gr, 0.99), "ms"},
			value{"in-process", median(s[0]), "/s"},
			value{"p50", medianQuantile(in, 0.50), "ms"}, value{"p99", medianQuantile(in, 0.99), "ms"})
		b.p.figure(f)
		figs = append(figs, f)
	}
	return figs, nil
}

// medianQuantile is the median over runs of each run's q-quantile latency, in ms.
func medianQuantile(runs []callStats, q float64) float64 {
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = ms(quantile(r.lat, q))
	}
	return median(xs)
}

package fig

import (
	"context"
	"sync"
	"time"
)

// CallStats are the calls of one ImageMeanWH run.
type CallStats struct {
	PerSec float64
	Lat    []time.Duration
}

// Hammer calls call from conc goroutines until d has passed and returns the
// rate and every call's latency.
func Hammer(ctx context.Context, conc int, d time.Duration, call func(context.Context) error) (CallStats, error) {
	calls := make([]func(context.Context) error, conc)
	for g := range calls {
		calls[g] = call
	}
	return HammerWith(ctx, d, calls)
}

// HammerWith runs each of calls in a loop in a goroutine of its own until
// d has passed and returns the rate and every call's latency.
func HammerWith(ctx context.Context, d time.Duration, calls []func(context.Context) error) (CallStats, error) {
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
			return CallStats{}, errs[g]
		}
		all = append(all, lats[g]...)
	}
	return CallStats{PerSec: float64(len(all)) / el.Seconds(), Lat: all}, nil
}

// MedianQuantile is the median over runs of each run's q-quantile latency, in ms.
func MedianQuantile(runs []CallStats, q float64) float64 {
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = MS(Quantile(r.Lat, q))
	}
	return Median(xs)
}

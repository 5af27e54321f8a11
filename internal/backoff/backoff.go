// Package backoff is the wait before the next try of something that
// failed: capped exponential backoff with jitter. The client's call
// reconnection (stream) and its live source reconnection (capture) share it.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Default bounds of a Policy's waits, when they are not set.
const (
	DefaultMin = 100 * time.Millisecond
	DefaultMax = 5 * time.Second
)

// Policy bounds the waits: they double from Min with every failure in a
// row, up to Max. Zero values mean DefaultMin and DefaultMax.
type Policy struct {
	Min, Max time.Duration
}

// Wait is the wait before try number n (1-based) after n failures in a
// row: Min doubled n-1 times, capped at Max, drawn at random from its
// upper half so that many clients do not retry in step.
func (p Policy) Wait(n int) time.Duration {
	lo, hi := p.bounds()
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + rand.N(d/2+1)
}

// bounds are Min and Max with their defaults; Max is at least Min.
func (p Policy) bounds() (time.Duration, time.Duration) {
	lo, hi := p.Min, p.Max
	if lo <= 0 {
		lo = DefaultMin
	}
	if hi <= 0 {
		hi = DefaultMax
	}
	return lo, max(lo, hi)
}

// Sleep waits d, or until ctx ends, which it returns the error of.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

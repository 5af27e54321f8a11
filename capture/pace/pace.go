// Package pace keeps a capture source's frames under a rate cap: a
// schedule (Pacer) that live sources drop frames against and finite
// sources wait for, and the decorator that applies it to a source of
// decoded frames (Wrap), before they are encoded.
package pace

import (
	"context"
	"time"
)

// New returns a Pacer that spaces frames interval apart; 0 lets every
// frame through at once.
func New(interval time.Duration) Pacer { return Pacer{interval: interval} }

// Pacer spaces frames at least interval apart on average. It keeps a schedule
// (due) rather than measuring from the last frame, so jitter in a live source
// running at exactly the cap does not halve the rate. Not safe for concurrent use.
type Pacer struct {
	interval time.Duration
	due      time.Time // earliest time for the next frame; zero before the first
}

// tolerance is how early a live frame may arrive and still be sent.
func (p *Pacer) tolerance() time.Duration { return p.interval / 4 }

// Allow reports whether a live frame captured at t may be sent.
func (p *Pacer) Allow(t time.Time) bool {
	return p.interval == 0 || p.due.IsZero() || !t.Before(p.due.Add(-p.tolerance()))
}

// Wait returns how long a finite source must wait at now before reading the
// next frame.
func (p *Pacer) Wait(now time.Time) time.Duration {
	if p.interval == 0 || p.due.IsZero() {
		return 0
	}
	return p.due.Sub(now)
}

// Sent records that a frame was sent at t and schedules the next one. After a
// stall longer than one interval the schedule restarts at t instead of
// bursting to catch up.
func (p *Pacer) Sent(t time.Time) {
	switch {
	case p.interval == 0:
	case p.due.IsZero():
		p.due = t.Add(p.interval)
	default:
		p.due = p.next(t)
	}
}

// next is the due time of the frame after one sent at t.
func (p *Pacer) next(t time.Time) time.Time {
	next := p.due.Add(p.interval)
	if next.Before(t) {
		next = t.Add(p.interval)
	}
	return next
}

// Sleep waits for d or until ctx is done, reusing the timer *t.
func Sleep(ctx context.Context, t **time.Timer, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	arm(t, d)
	select {
	case <-(*t).C:
		return nil
	case <-ctx.Done():
		(*t).Stop()
		return ctx.Err()
	}
}

// arm starts the timer *t for d, creating it the first time.
func arm(t **time.Timer, d time.Duration) {
	if *t == nil {
		*t = time.NewTimer(d)
	} else {
		(*t).Reset(d)
	}
}

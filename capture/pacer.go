package capture

import "time"

// pacer spaces frames at least interval apart on average. It keeps a schedule
// (due) rather than measuring from the last frame, so jitter in a live source
// running at exactly the cap does not halve the rate. Not safe for concurrent use.
type pacer struct {
	interval time.Duration
	due      time.Time // earliest time for the next frame; zero before the first
}

// tolerance is how early a live frame may arrive and still be sent.
func (p *pacer) tolerance() time.Duration { return p.interval / 4 }

// allow reports whether a live frame captured at t may be sent.
func (p *pacer) allow(t time.Time) bool {
	return p.interval == 0 || p.due.IsZero() || !t.Before(p.due.Add(-p.tolerance()))
}

// wait returns how long a finite source must wait at now before reading the
// next frame.
func (p *pacer) wait(now time.Time) time.Duration {
	if p.interval == 0 || p.due.IsZero() {
		return 0
	}
	return p.due.Sub(now)
}

// sent records that a frame was sent at t and schedules the next one. After a
// stall longer than one interval the schedule restarts at t instead of
// bursting to catch up.
func (p *pacer) sent(t time.Time) {
	if p.interval == 0 {
		return
	}
	if p.due.IsZero() {
		p.due = t.Add(p.interval)
		return
	}
	next := p.due.Add(p.interval)
	if next.Before(t) {
		next = t.Add(p.interval)
	}
	p.due = next
}

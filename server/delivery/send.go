package delivery

import (
	"context"
	"errors"
	"fmt"
)

// deliverLines hands lines' events to the sink and moves st's cursor
// over what it acknowledged (and over invalid lines and rejected events).
// The sink's error, other than a rejection, is returned.
func (f *follower) deliverLines(ctx context.Context, st *streamState, lines []line) error {
	var err error
	for len(lines) > 0 && err == nil {
		var done int
		done, err = f.deliverSome(ctx, lines)
		f.advance(st, lines[:done])
		lines = lines[done:]
	}
	return err
}

// saveCursor writes st's cursor if it moved since was.
func (f *follower) saveCursor(st *streamState, was cursor) {
	if st.cur == was {
		return
	}
	if err := st.cur.save(f.root, st.name, f.kind); err != nil {
		f.streamFailed(st, err) // the events are out; a resend repeats them
	}
}

// deliverSome sends lines' events and returns how many lines are done:
// all when the sink took every event, else those before the first event
// it did not take, or up to and including the one it rejected.
func (f *follower) deliverSome(ctx context.Context, lines []line) (int, error) {
	evs, at := events(lines)
	if len(evs) == 0 {
		return len(lines), nil
	}
	n, err := f.sink.Deliver(ctx, evs)
	f.m.delivered.Add(float64(n))
	switch {
	case n >= len(evs):
		return len(lines), err
	case errors.Is(err, ErrRejected):
		f.m.rejected.Inc()
		f.log.Warn("event rejected by the receiver: skipped", "stream", evs[n].Stream, "id", evs[n].ID, "err", err)
		return at[n] + 1, nil
	case err == nil:
		err = fmt.Errorf("sink took %d of %d events without saying why", n, len(evs))
	}
	return at[n], err
}

// events are lines' events and, for each, the index of its line.
func events(lines []line) (evs []Event, at []int) {
	for i, l := range lines {
		if l.ok {
			evs, at = append(evs, l.ev), append(at, i)
		}
	}
	return evs, at
}

// advance moves st's cursor past lines, counting the invalid ones.
func (f *follower) advance(st *streamState, lines []line) {
	for _, l := range lines {
		if l.ok {
			st.cur.LastStart, st.cur.LastID = l.start, l.ev.ID
		} else {
			f.m.invalid.Inc()
			f.log.Warn("line of events.jsonl is not an event with an id: skipped", "stream", st.name, "offset", l.start)
		}
		st.cur.Offset = l.end
	}
}

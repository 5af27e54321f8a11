// Package eventstage is a tracked stream's counting by its rules
// (StreamHeader.zones) inside the service: the counter rebuilt when the
// stream opens from its last checkpoint and the recorded frames after it
// (or all of them), each frame's events worked out before its image is
// drawn and kept once the frame is recorded, checkpoints saved as frames
// are recorded, and hooks told what was written (for delivery and zones'
// occupancy).
package eventstage

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/framewire/framewire/internal/zonefile"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/events"
)

// Stage counts a stream's tracks by its rules (StreamHeader.zones), in
// frame order, on the session's Commit goroutine. A frame's events are
// worked out before its image is drawn (so the running counts on it include them)
// on a copy of the counter, which is kept only once the frame is
// recorded: the counter is always a function of the recorded frames, and
// so is events.jsonl. Every Options.CheckpointEvery recorded frames its
// state is saved beside the files, so that opening the stream again
// replays only the frames after it.
type Stage struct {
	counter *events.Counter
	log     core.EventLog
	opts    Options
	stream  string
	runKey  string
	// next and evs are the counter after the frame being committed and
	// that frame's events, at its frame; nil before Peek and after Commit.
	next *events.Counter
	evs  []record.Event
	at   frameMark
	// last is the last frame recorded; sinceSaved counts the frames
	// recorded since the last checkpoint.
	last       frameMark
	sinceSaved int64
	// unsaved: a recorded frame's events could not be written, so the
	// counter has not counted every recorded frame and no checkpoint may
	// be saved for the rest of the session (the next open replays from
	// the last one and writes the missing events).
	unsaved bool
}

// DefaultCheckpointEvery is how many recorded frames apart counting's
// checkpoints are saved.
const DefaultCheckpointEvery = 300

// Options are what a Stage tells others, and how it saves its state.
type Options struct {
	// Replay hears every recorded frame replayed at open, in order (the
	// tracker's rebuild); nil hears nothing.
	Replay func(record.Frame)
	// Snapshot is the state to save with a checkpoint besides the
	// counter's (the tracker's, after the same frame); ok false saves no
	// checkpoint. Restore takes such a state back before the frames
	// after it are replayed; false: it cannot, and every frame is
	// replayed. Both nil: no checkpoints.
	Snapshot func() (state json.RawMessage, ok bool)
	Restore  func(state json.RawMessage) bool
	// CheckpointEvery is the recorded frames between checkpoints
	// (0 = DefaultCheckpointEvery).
	CheckpointEvery int64
	// Hooks hear what the stage writes.
	Hooks Hooks
	// Log hears a checkpoint that could not be saved (nil: nothing).
	Log *slog.Logger
}

// Open counts by rules on out, a stream's output of run. It replays the
// frames out records, in order, through a new counter (their events must
// be those of events.jsonl, which is made so) and hands each to
// opts.Replay, so that counting goes on exactly where it was; with a
// checkpoint that fits the files, from its state and only the frames
// after it. Every zone's occupancy is then told to opts.Hooks.
func Open(rules zonefile.Config, out core.Output, run record.Run, opts Options) (*Stage, error) {
	el, ok := out.(core.EventLog)
	if !ok {
		return nil, errors.New("this server's store keeps no events: counting rules (zones) cannot be used")
	}
	cs := &Stage{log: el, opts: opts, stream: out.Name(), runKey: core.RunKey(run, out.Name())}
	cs.opts.CheckpointEvery = cmp.Or(cs.opts.CheckpointEvery, DefaultCheckpointEvery)
	cs.opts.Log = cmp.Or(cs.opts.Log, slog.New(slog.DiscardHandler))
	from := cs.resume(events.NewRules(rules))
	var all []record.Event
	err := el.RecordedFrames(from, func(f record.Frame) error {
		all = append(all, cs.counter.Update(f)...)
		cs.last = markOf(f)
		if opts.Replay != nil {
			opts.Replay(f)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("replay the recorded frames for counting: %w", err)
	}
	if err := el.KeepEvents(from, all); err != nil {
		return nil, err
	}
	cs.tellOccupancy(nil)
	return cs, nil
}

// Peek works out the events of r's frame (tracked, not failed) on a copy
// of the counter.
func (cs *Stage) Peek(r *pb.FrameResult) {
	if cs == nil {
		return
	}
	f := record.FromResult(r)
	cs.next, cs.at = cs.counter.Clone(), markOf(f)
	cs.evs = cs.next.Update(f)
}

// Commit keeps the events of r's frame, now recorded: it writes them to
// events.jsonl, puts them on r, moves the counter on, tells the hooks and
// saves a checkpoint when one is due (a failure to is logged: the files
// stay the truth).
func (cs *Stage) Commit(r *pb.FrameResult) error {
	if cs == nil || cs.next == nil {
		return nil
	}
	evs := cs.evs
	// The frame is recorded: the counter moves on whether or not its
	// events can be written, so that later frames' events are the whole
	// run's (the next open writes the missing ones from a replay).
	cs.counter, cs.last = cs.next, cs.at
	cs.next, cs.evs = nil, nil
	if err := cs.log.AppendEvents(evs); err != nil {
		cs.unsaved = true
		return err
	}
	for _, e := range evs {
		r.Events = append(r.Events, toProtoEvent(e))
	}
	if len(evs) > 0 {
		cs.opts.Hooks.written(cs.stream)
		cs.tellOccupancy(evs)
	}
	cs.checkpointDue()
	return nil
}

// Drop forgets the events of a frame that was not recorded.
func (cs *Stage) Drop() {
	if cs != nil {
		cs.next, cs.evs = nil, nil
	}
}

// Counts are the running totals; nil without rules.
func (cs *Stage) Counts() []record.Count {
	if cs == nil {
		return nil
	}
	return cs.counter.Counts()
}

func toProtoEvent(e record.Event) *pb.CountEvent {
	return &pb.CountEvent{Id: e.ID, Kind: e.Kind, Rule: e.Rule, Direction: e.Direction,
		TrackId: e.TrackID, Label: e.Label, DwellMs: e.DwellMs, Lost: e.Lost}
}

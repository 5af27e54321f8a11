// Package eventstage is a tracked stream's counting by its rules
// (StreamHeader.zones) inside the service: the counter rebuilt from the
// recorded frames when the stream opens, each frame's events worked out
// before its image is drawn and kept once the frame is recorded.
package eventstage

import (
	"errors"
	"fmt"

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
// so is events.jsonl.
type Stage struct {
	counter *events.Counter
	log     core.EventLog
	// next and evs are the counter after the frame being committed and
	// that frame's events; nil before Peek and after Commit.
	next *events.Counter
	evs  []record.Event
}

// Open counts by rules on out, a stream's output of run. It replays the
// frames out records, in order, through a new counter (their events must
// be those of events.jsonl, which is made so) and hands each to replay
// too (the tracker's rebuild), so that counting goes on exactly where it
// was.
func Open(rules zonefile.Config, out core.Output, run record.Run, replay func(record.Frame)) (*Stage, error) {
	el, ok := out.(core.EventLog)
	if !ok {
		return nil, errors.New("this server's store keeps no events: counting rules (zones) cannot be used")
	}
	c := events.NewCounter(events.NewRules(rules), out.Name(), core.RunKey(run, out.Name()))
	var all []record.Event
	err := el.RecordedFrames(func(f record.Frame) error {
		all = append(all, c.Update(f)...)
		replay(f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("replay the recorded frames for counting: %w", err)
	}
	if err := el.KeepEvents(all); err != nil {
		return nil, err
	}
	return &Stage{counter: c, log: el}, nil
}

// Peek works out the events of r's frame (tracked, not failed) on a copy
// of the counter.
func (cs *Stage) Peek(r *pb.FrameResult) {
	if cs == nil {
		return
	}
	cs.next = cs.counter.Clone()
	cs.evs = cs.next.Update(record.FromResult(r))
}

// Commit keeps the events of r's frame, now recorded: it writes them to
// events.jsonl, puts them on r and moves the counter on.
func (cs *Stage) Commit(r *pb.FrameResult) error {
	if cs == nil || cs.next == nil {
		return nil
	}
	next, evs := cs.next, cs.evs
	cs.next, cs.evs = nil, nil
	if err := cs.log.AppendEvents(evs); err != nil {
		return err
	}
	cs.counter = next
	for _, e := range evs {
		r.Events = append(r.Events, toProtoEvent(e))
	}
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

// Overlay is what the frame being committed shows: the rules and the
// counts after it.
func (cs *Stage) Overlay() core.Overlay {
	c := cs.counter
	if cs.next != nil {
		c = cs.next
	}
	return overlayOf(c.Rules().Config(), c.Counts())
}

// overlayOf draws cfg's rules with counts summed over the classes.
func overlayOf(cfg zonefile.Config, counts []record.Count) core.Overlay {
	var o core.Overlay
	for _, l := range cfg.Lines {
		ol := core.OverlayLine{Name: l.Name, From: [2]float64{l.From[0], l.From[1]}, To: [2]float64{l.To[0], l.To[1]}}
		for _, c := range counts {
			if c.Kind == record.CountLine && c.Rule == l.Name {
				ol.In, ol.Out = ol.In+c.In, ol.Out+c.Out
			}
		}
		o.Lines = append(o.Lines, ol)
	}
	for _, z := range cfg.Zones {
		oz := core.OverlayZone{Name: z.Name}
		for _, p := range z.Polygon {
			oz.Polygon = append(oz.Polygon, [2]float64{p[0], p[1]})
		}
		for _, c := range counts {
			if c.Kind == record.CountZone && c.Rule == z.Name {
				oz.Inside, oz.Entered = oz.Inside+c.Inside, oz.Entered+c.Entered
			}
		}
		o.Zones = append(o.Zones, oz)
	}
	return o
}

package eventstage

import (
	"encoding/json"

	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/events"
)

// checkpointState is what a Stage saves in a checkpoint (the store's
// core.CountCheckpoint.State): the counter's state, the Snapshot taken
// with it, and the last frame recorded, for the run RunKey names.
type checkpointState struct {
	RunKey  string          `json:"run_key"`
	Counter events.State    `json:"counter"`
	Other   json.RawMessage `json:"other"`
	Last    frameMark       `json:"last"`
}

// frameMark is a recorded frame's number and times, for occupancy.
type frameMark struct {
	Seq             int64  `json:"seq"`
	CaptureUnixNano int64  `json:"capture_unix_nano,omitempty"`
	PositionUs      *int64 `json:"position_us,omitempty"`
}

func markOf(f record.Frame) frameMark {
	return frameMark{Seq: f.Seq, CaptureUnixNano: f.CaptureUnixNano, PositionUs: f.PositionUs}
}

// resume sets cs's counter by rules: from the store's checkpoint when it
// fits the files, is of this run and opts.Restore takes its other part
// (then it is returned: the frames after it are replayed), else new (nil:
// every frame is replayed).
func (cs *Stage) resume(rules *events.Rules) *core.CountCheckpoint {
	cs.counter = events.NewCounter(rules, cs.stream, cs.runKey)
	if cs.opts.Restore == nil || cs.opts.Snapshot == nil {
		return nil
	}
	cp, ok := cs.log.CountCheckpoint()
	if !ok {
		return nil
	}
	var st checkpointState
	if json.Unmarshal(cp.State, &st) != nil || st.RunKey != cs.runKey {
		return nil
	}
	c, err := events.RestoreCounter(rules, cs.stream, cs.runKey, st.Counter)
	if err != nil || !cs.opts.Restore(st.Other) {
		return nil
	}
	cs.counter, cs.last = c, st.Last
	return &cp
}

// checkpointDue saves a checkpoint every opts.CheckpointEvery recorded
// frames.
func (cs *Stage) checkpointDue() {
	if cs.sinceSaved++; cs.sinceSaved < cs.opts.CheckpointEvery {
		return
	}
	cs.Checkpoint()
}

// Checkpoint saves the counter's state after the last recorded frame,
// with opts.Snapshot's, beside the files (when opts.Snapshot has one).
// A failure is logged: the next open replays more frames, nothing else.
func (cs *Stage) Checkpoint() {
	if cs == nil || cs.opts.Snapshot == nil || cs.unsaved {
		return
	}
	cs.sinceSaved = 0
	other, ok := cs.opts.Snapshot()
	if !ok {
		return
	}
	b, err := json.Marshal(checkpointState{RunKey: cs.runKey, Counter: cs.counter.State(), Other: other, Last: cs.last})
	if err == nil {
		err = cs.log.SaveCountCheckpoint(b)
	}
	if err != nil {
		cs.opts.Log.Warn("cannot save the counting checkpoint: the next open replays more frames", "stream", cs.stream, "err", err)
	}
}

// Close saves a checkpoint when frames were recorded since the last, so
// that the next open of the stream replays none.
func (cs *Stage) Close() {
	if cs != nil && cs.sinceSaved > 0 {
		cs.Checkpoint()
	}
}

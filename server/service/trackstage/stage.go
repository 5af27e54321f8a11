// Package trackstage is the ordered part of a tracked stream: detected
// frames held until their turn, the tracker run in frame order, and the
// distinct tracks per label.
package trackstage

import (
	"errors"
	"sync"

	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/track"
)

// Stage is the ordered part of a tracked stream. Frames are decoded
// and detected concurrently on the pool's workers, which hand each
// frame's image and detections to hold; Commit, which runs in frame
// order, takes them back, runs the tracker and only then draws (with the
// ids), encodes and writes the JPEG. hold is safe for concurrent use;
// assign and counts are called in frame order from one goroutine.
type Stage struct {
	mu   sync.Mutex
	held map[int64]Held

	tracker  *track.Tracker
	ids      core.TrackIDs    // distinct track ids above floor per label
	recorded map[string]int64 // distinct track ids per label up to floor
	floor    int64
}

// Held is a detected frame waiting for its turn.
type Held struct {
	Pic  core.Picture // owned by the held frame
	Dets []core.Detection
}

// New starts tracking with ids above lastID (the highest id
// already recorded in the stream's folder), counting on from recorded
// (the distinct ids per label recorded there).
func New(lastID int64, recorded map[string]int64) *Stage {
	return &Stage{
		held:     map[int64]Held{},
		tracker:  track.New(track.Config{FirstID: lastID}),
		recorded: recorded,
		floor:    lastID,
	}
}

// Hold keeps frame seq's picture (taking ownership) and detections.
func (ts *Stage) Hold(seq int64, pic core.Picture, dets []core.Detection) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.held[seq] = Held{Pic: pic, Dets: dets}
}

// Take hands back frame seq's held frame; false when none is held (a
// failed frame, or an untracked stream: ts is nil).
func (ts *Stage) Take(seq int64) (h Held, ok bool) {
	if ts != nil {
		ts.mu.Lock()
		defer ts.mu.Unlock()
		h, ok = ts.held[seq]
		delete(ts.held, seq)
	}
	return h, ok
}

// Assign runs the tracker on frame seq and sets the detections' TrackID.
func (ts *Stage) Assign(seq int64, dets []core.Detection) {
	in := make([]track.Detection, len(dets))
	for i, d := range dets {
		in[i] = track.Detection{Class: d.ClassID, Score: d.Score, Box: track.Box(d.Box)}
	}
	for i, id := range ts.tracker.Update(seq, in) {
		dets[i].TrackID = id
		if id > ts.floor {
			ts.ids.Add(dets[i].Label, id)
		}
	}
}

// Counts is the number of distinct track ids per label so far in the
// run: those up to the floor (recorded before this call, or before the
// checkpoint it restored) and those above it.
func (ts *Stage) Counts() map[string]int64 {
	out := ts.ids.Counts()
	for l, n := range ts.recorded {
		out[l] += n
	}
	return out
}

// Close releases the images of frames never committed.
func (ts *Stage) Close() error {
	if ts == nil {
		return nil
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var errs []error
	for seq, h := range ts.held {
		errs = append(errs, h.Pic.Close())
		delete(ts.held, seq)
	}
	return errors.Join(errs...)
}

// Replay runs the tracker on recorded frame f (its detections as
// recorded) and says whether it gives the ids recorded; a failed frame
// was never tracked.
func (ts *Stage) Replay(f record.Frame) bool {
	if f.Error != "" {
		return true
	}
	dets := make([]core.Detection, len(f.Detections))
	for i, d := range f.Detections {
		dets[i] = core.Detection{Label: d.Label, ClassID: int(d.ClassID), Score: d.Score,
			Box: core.Box{X: d.Box[0], Y: d.Box[1], W: d.Box[2], H: d.Box[3]}}
	}
	ts.Assign(f.Seq, dets)
	for i, d := range dets {
		if d.TrackID != f.Detections[i].TrackID {
			return false
		}
	}
	return true
}

// Adopt takes fresh's tracker and ids (a replay of the recorded frames
// that gave the recorded ids), so that tracking goes on where it was.
func (ts *Stage) Adopt(fresh *Stage) {
	ts.tracker, ts.ids, ts.recorded, ts.floor = fresh.tracker, fresh.ids, fresh.recorded, fresh.floor
}

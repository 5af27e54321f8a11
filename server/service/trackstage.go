package service

import (
	"errors"
	"sync"

	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/track"
)

// trackStage is the ordered part of a tracked stream. Frames are decoded
// and detected concurrently on the pool's workers, which hand each
// frame's image and detections to hold; Commit, which runs in frame
// order, takes them back, runs the tracker and only then draws (with the
// ids), encodes and writes the JPEG. hold is safe for concurrent use;
// assign and counts are called in frame order from one goroutine.
type trackStage struct {
	mu   sync.Mutex
	held map[int64]heldFrame

	tracker  *track.Tracker
	ids      core.TrackIDs    // distinct track ids per label in this call
	recorded map[string]int64 // distinct track ids per label before it
}

// heldFrame is a detected frame waiting for its turn.
type heldFrame struct {
	pic  core.Picture // owned by the held frame
	dets []core.Detection
}

// newTrackStage starts tracking with ids above lastID (the highest id
// already recorded in the stream's folder), counting on from recorded
// (the distinct ids per label recorded there).
func newTrackStage(lastID int64, recorded map[string]int64) *trackStage {
	return &trackStage{
		held:     map[int64]heldFrame{},
		tracker:  track.New(track.Config{FirstID: lastID}),
		recorded: recorded,
	}
}

// hold keeps frame seq's picture (taking ownership) and detections.
func (ts *trackStage) hold(seq int64, pic core.Picture, dets []core.Detection) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.held[seq] = heldFrame{pic: pic, dets: dets}
}

// take hands back frame seq's held frame; false when none is held (a
// failed frame, or an untracked stream: ts is nil).
func (ts *trackStage) take(seq int64) (heldFrame, bool) {
	if ts == nil {
		return heldFrame{}, false
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	h, ok := ts.held[seq]
	delete(ts.held, seq)
	return h, ok
}

// assign runs the tracker on frame seq and sets the detections' TrackID.
func (ts *trackStage) assign(seq int64, dets []core.Detection) {
	in := make([]track.Detection, len(dets))
	for i, d := range dets {
		in[i] = track.Detection{Class: d.ClassID, Score: d.Score, Box: track.Box(d.Box)}
	}
	for i, id := range ts.tracker.Update(seq, in) {
		dets[i].TrackID = id
		ts.ids.Add(dets[i].Label, id)
	}
}

// counts is the number of distinct track ids per label so far in the
// run: those recorded before this call and its own (always new ids).
func (ts *trackStage) counts() map[string]int64 {
	out := ts.ids.Counts()
	for l, n := range ts.recorded {
		out[l] += n
	}
	return out
}

// close releases the images of frames never committed.
func (ts *trackStage) close() error {
	if ts == nil {
		return nil
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var errs []error
	for seq, h := range ts.held {
		errs = append(errs, h.pic.Close())
		delete(ts.held, seq)
	}
	return errors.Join(errs...)
}

// newTrackStageFor is the stage of a stream with opts writing to out, nil
// when the stream is not tracked.
func newTrackStageFor(opts frameOptions, out core.Output) *trackStage {
	if !opts.track {
		return nil
	}
	return newTrackStage(out.LastTrackID(), out.TrackCounts())
}

// replay runs the tracker on recorded frame f (its detections as
// recorded) and says whether it gives the ids recorded; a failed frame
// was never tracked.
func (ts *trackStage) replay(f record.Frame) bool {
	if f.Error != "" {
		return true
	}
	dets := make([]core.Detection, len(f.Detections))
	for i, d := range f.Detections {
		dets[i] = core.Detection{Label: d.Label, ClassID: int(d.ClassID), Score: d.Score,
			Box: core.Box{X: d.Box[0], Y: d.Box[1], W: d.Box[2], H: d.Box[3]}}
	}
	ts.assign(f.Seq, dets)
	for i, d := range dets {
		if d.TrackID != f.Detections[i].TrackID {
			return false
		}
	}
	return true
}

package storetest

import (
	"maps"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
)

// exactlyOnce: a frame recorded by one call is done for every later call
// of the run, so that a resumed call skips it; the lines hold each frame
// once.
func exactlyOnce(t *testing.T, b Backend) {
	t.Run("across_reopen", func(t *testing.T) {
		place := b.NewPlace(t)
		for call := range 3 { // each call records five more frames
			s := b.Open(t, place) // a restarted server
			o := open(t, s, "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
			recordAll(t, o, 0, int64(5*(call+1)))
			closeOut(t, o)
		}
		checkLines(t, b, place, "clip", span(0, 15))
	})
	t.Run("out_of_order", func(t *testing.T) {
		place := b.NewPlace(t)
		s := b.Open(t, place)
		o := open(t, s, "clip", finite("run-1", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
		for _, seq := range []int64{3, 0, 1, 7} {
			recordFrame(t, o, seq, seq%2 == 0)
		}
		closeOut(t, o)
		o = open(t, s, "clip", finite("run-2", "clip.mp4"), pb.ExistPolicy_EXIST_RESUME)
		checkDone(t, o, "[0,2) [3,4) [7,8)")
		for seq, want := range map[int64]bool{0: true, 1: true, 2: false, 3: true, 4: false, 7: true, 8: false} {
			if got := o.Recorded(seq); got != want {
				t.Errorf("Recorded(%d) = %v, want %v", seq, got, want)
			}
		}
	})
	t.Run("tracks", func(t *testing.T) { resumedTracks(t, b) })
}

// resumedTracks: a resumed tracked run learns the highest track id and the
// distinct tracks per label recorded, so that it numbers new tracks above
// them and counts on.
func resumedTracks(t *testing.T, b Backend) {
	place := b.NewPlace(t)
	s := b.Open(t, place)
	run := finite("run-1", "walk.mp4")
	o := open(t, s, "walk", run, pb.ExistPolicy_EXIST_RESUME)
	recordFrame(t, o, 0, true, record.Box{Label: "person", TrackID: 7}, record.Box{Label: "dog", TrackID: 3})
	recordFrame(t, o, 1, false, record.Box{Label: "person", TrackID: 7}, record.Box{Label: "person", TrackID: 2}, record.Box{Label: "person"})
	closeOut(t, o)
	o = open(t, b.Open(t, place), "walk", run, pb.ExistPolicy_EXIST_RESUME)
	if got := o.LastTrackID(); got != 7 {
		t.Errorf("last track id %d, want 7", got)
	}
	if got, want := o.TrackCounts(), map[string]int64{"person": 2, "dog": 1}; !maps.Equal(got, want) {
		t.Errorf("track counts %v, want %v", got, want)
	}
}

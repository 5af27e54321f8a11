package track

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// mover is a synthetic object moving at constant velocity.
type mover struct {
	class  int
	x, y   float32 // at frame 0
	vx, vy float32 // per frame
	w, h   float32
}

func (m mover) at(seq int64, score float32) Detection {
	f := float32(seq)
	return Detection{Class: m.class, Score: score, Box: Box{X: m.x + m.vx*f, Y: m.y + m.vy*f, W: m.w, H: m.h}}
}

// idsAlong runs frames through a tracker and returns, per mover, the ids
// it got in each frame where it was visible.
func idsAlong(t *testing.T, tr *Tracker, seqs []int64, movers []mover, visible func(m int, seq int64) bool) [][]int64 {
	t.Helper()
	got := make([][]int64, len(movers))
	for _, seq := range seqs {
		var dets []Detection
		var who []int
		for i, m := range movers {
			if visible(i, seq) {
				dets = append(dets, m.at(seq, 0.9))
				who = append(who, i)
			}
		}
		ids := tr.Update(seq, dets)
		for k, i := range who {
			got[i] = append(got[i], ids[k])
		}
	}
	return got
}

func frames(from, to, step int64) []int64 {
	var s []int64
	for i := from; i < to; i += step {
		s = append(s, i)
	}
	return s
}

func always(int, int64) bool { return true }

// switches counts how often the id changes along a path.
func switches(ids []int64) int {
	n := 0
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1] {
			n++
		}
	}
	return n
}

func TestCrossingObjectsKeepTheirIDs(t *testing.T) {
	movers := []mover{
		{x: 0, y: 100, vx: 4, w: 40, h: 80},
		{x: 200, y: 110, vx: -4, w: 40, h: 80},
	}
	got := idsAlong(t, New(Config{}), frames(0, 60, 1), movers, always)
	for i, ids := range got {
		if n := switches(ids); n != 0 || ids[0] == 0 {
			t.Errorf("mover %d: got ids %v (%d switches), want one id all along", i, ids, n)
		}
	}
	if got[0][0] == got[1][0] {
		t.Errorf("both movers got id %d, want two ids", got[0][0])
	}
}

func TestOcclusionGapKeepsTheID(t *testing.T) {
	movers := []mover{{x: 0, y: 50, vx: 3, vy: 1, w: 30, h: 60}}
	hidden := func(_ int, seq int64) bool { return seq < 20 || seq >= 35 }
	got := idsAlong(t, New(Config{}), frames(0, 60, 1), movers, hidden)
	if n := switches(got[0]); n != 0 {
		t.Errorf("got ids %v across a 15-frame occlusion, want one id", got[0])
	}
}

func TestTrackDiesAfterMaxMissed(t *testing.T) {
	movers := []mover{{x: 0, y: 50, vx: 1, w: 30, h: 60}}
	hidden := func(_ int, seq int64) bool { return seq < 10 || seq >= 20 }
	got := idsAlong(t, New(Config{MaxMissed: 5}), frames(0, 30, 1), movers, hidden)
	if n := switches(got[0]); n != 1 {
		t.Errorf("got ids %v, want a new id after 10 missed frames with MaxMissed 5", got[0])
	}
}

func TestDroppedFramesArePredictedOver(t *testing.T) {
	// 10 px a frame, every 5th frame arrives: 50 px between updates, more
	// than the box is wide, so only the prediction over the gap matches.
	movers := []mover{{x: 0, y: 0, vx: 10, w: 40, h: 40}, {x: 0, y: 200, vx: 10, w: 40, h: 40}}
	seqs := append(frames(0, 10, 1), frames(10, 100, 5)...)
	got := idsAlong(t, New(Config{}), seqs, movers, always)
	for i, ids := range got {
		if n := switches(ids); n != 0 {
			t.Errorf("mover %d: got ids %v with dropped frames, want one id", i, ids)
		}
	}
}

func TestLowScoreContinuesButNeverStarts(t *testing.T) {
	tr := New(Config{})
	m := mover{x: 0, y: 0, vx: 2, w: 40, h: 40}
	stray := Detection{Score: 0.3, Box: Box{X: 500, Y: 500, W: 20, H: 20}}
	var ids []int64
	for seq := int64(0); seq < 10; seq++ {
		score := float32(0.9)
		if seq >= 3 && seq < 7 {
			score = 0.3
		}
		got := tr.Update(seq, []Detection{m.at(seq, score), stray})
		ids = append(ids, got[0])
		if got[1] != 0 {
			t.Fatalf("frame %d: a lone low-score detection got id %d, want 0", seq, got[1])
		}
	}
	if n := switches(ids); n != 0 || ids[0] != 1 {
		t.Errorf("got ids %v, want 1 all along through low scores", ids)
	}
}

func TestClassesAreTrackedApart(t *testing.T) {
	tr := New(Config{FirstID: 41})
	b := Box{X: 10, Y: 10, W: 50, H: 50}
	for seq := int64(0); seq < 3; seq++ {
		ids := tr.Update(seq, []Detection{{Class: 0, Score: 0.9, Box: b}, {Class: 16, Score: 0.9, Box: b}})
		if ids[0] != 42 || ids[1] != 43 {
			t.Fatalf("frame %d: got ids %v, want [42 43] (ids above FirstID, one per class)", seq, ids)
		}
	}
	if got := tr.LastID(); got != 43 {
		t.Errorf("LastID: got %d, want 43", got)
	}
}

func TestMoreTracksThanDetections(t *testing.T) {
	movers := []mover{
		{x: 0, y: 0, vx: 2, w: 40, h: 40}, {x: 0, y: 100, vx: 2, w: 40, h: 40},
		{x: 0, y: 200, vx: 2, w: 40, h: 40}, {x: 0, y: 300, vx: 2, w: 40, h: 40},
	}
	// From frame 5 only the third mover is seen.
	visible := func(m int, seq int64) bool { return seq < 5 || m == 2 }
	got := idsAlong(t, New(Config{}), frames(0, 10, 1), movers, visible)
	if n := switches(got[2]); n != 0 || len(got[2]) != 10 {
		t.Errorf("got ids %v for the mover left alone, want one id in 10 frames", got[2])
	}
}

func TestOneFrameTrackDiesAtFirstMiss(t *testing.T) {
	tr := New(Config{})
	tr.Update(0, []Detection{{Score: 0.9, Box: Box{W: 10, H: 10}}})
	tr.Update(1, nil)
	ids := tr.Update(2, []Detection{{Score: 0.9, Box: Box{W: 10, H: 10}}})
	if ids[0] != 2 {
		t.Errorf("got id %d, want 2 (a one-frame track does not survive a miss)", ids[0])
	}
}

// randomMovers makes n objects spread over a 1920x1080 frame.
func randomMovers(n int) []mover {
	r := rand.New(rand.NewPCG(1, 2))
	ms := make([]mover, n)
	for i := range ms {
		ms[i] = mover{
			class: r.IntN(3), x: r.Float32() * 1800, y: r.Float32() * 1000,
			vx: r.Float32()*6 - 3, vy: r.Float32()*6 - 3, w: 30 + r.Float32()*60, h: 60 + r.Float32()*90,
		}
	}
	return ms
}

func TestManyMoversKeepTheirIDs(t *testing.T) {
	got := idsAlong(t, New(Config{}), frames(0, 100, 1), randomMovers(50), always)
	total := 0
	for _, ids := range got {
		total += switches(ids)
	}
	if total > 2 {
		t.Errorf("50 random movers over 100 frames: got %d id switches, want at most 2", total)
	}
}

func BenchmarkUpdate(b *testing.B) {
	for _, n := range []int{10, 50} {
		b.Run(fmt.Sprintf("%dboxes", n), func(b *testing.B) {
			movers := randomMovers(n)
			dets := make([][]Detection, 64)
			for s := range dets {
				for _, m := range movers {
					dets[s] = append(dets[s], m.at(int64(s), 0.3+0.6*float32((s+m.class)%2)))
				}
			}
			tr := New(Config{})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tr.Update(int64(i), dets[i%len(dets)])
			}
		})
	}
}

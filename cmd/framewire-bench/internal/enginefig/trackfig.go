package enginefig

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/server/track"
)

// trackFrames is how many frames one round of figure k tracks.
const trackFrames = 2000

// TrackerCost is figure k: the tracker's time per frame with 50 and 10
// objects moving across a 1920x1080 frame, median of the rounds.
func (b *Bench) TrackerCost(ctx context.Context) ([]fig.Figure, error) {
	var vals []fig.Value
	var at50 float64
	for _, n := range []int{50, 10} {
		var ms []float64
		for range b.O.Rounds {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			ms = append(ms, trackRound(movingBoxes(n)))
		}
		if n == 50 {
			at50 = fig.Median(ms)
		}
		vals = append(vals, fig.Value{Name: fmt.Sprintf("%d boxes", n), Value: fig.Median(ms), Unit: "ms"})
	}
	f := fig.NewFigure("k", "tracker per frame, 50 moving boxes", "ms", at50, &fig.Target{Op: "<=", Bound: 1}, vals...)
	b.P.Figure(f)
	return []fig.Figure{f}, nil
}

// movingBoxes makes each frame's detections of n objects that move
// steadily, half of them scoring high and half low.
func movingBoxes(n int) func(seq int64) []track.Detection {
	r := rand.New(rand.NewPCG(1, 2))
	type obj struct{ x, y, vx, vy, w, h float32 }
	objs := make([]obj, n)
	for i := range objs {
		objs[i] = obj{r.Float32() * 1800, r.Float32() * 1000, r.Float32()*6 - 3, r.Float32()*6 - 3, 30 + r.Float32()*60, 60 + r.Float32()*90}
	}
	return func(seq int64) []track.Detection {
		dets := make([]track.Detection, n)
		for i, o := range objs {
			s := float32(seq)
			dets[i] = track.Detection{Class: i % 3, Score: 0.3 + 0.6*float32(i%2), Box: track.Box{X: o.x + o.vx*s, Y: o.y + o.vy*s, W: o.w, H: o.h}}
		}
		return dets
	}
}

// trackRound tracks trackFrames frames and returns ms per frame (the
// detections are made before the clock starts).
func trackRound(frame func(seq int64) []track.Detection) float64 {
	dets := make([][]track.Detection, trackFrames)
	for s := range dets {
		dets[s] = frame(int64(s))
	}
	tr := track.New(track.Config{})
	start := time.Now()
	for s, d := range dets {
		tr.Update(int64(s), d)
	}
	return float64(time.Since(start).Microseconds()) / 1000 / trackFrames
}

package scalefig

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/internal/serverproc"
)

// streamsRound is one round of figure m: total fps of one stream alone
// and of b.O.Streams at once, and the latter's per-stream fps.
type streamsRound struct {
	one, many float64
	each      []float64
}

// Streams is figure m: b.O.Streams framewire-capture clients streaming
// the video at once to one framewire-server (NanoDet-320), against one
// client alone, round by round: the total fps and how fairly it is shared.
func (b *Bench) Streams(ctx context.Context) (_ []fig.Figure, err error) {
	m, err := b.nanodet320()
	if err != nil {
		return b.Skip("m", "streams on one server", err.Error()), nil
	}
	dir := filepath.Join(b.Tmp, "streams")
	srvBin, capBin, err := binaries(ctx, dir)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "out")
	srv, err := b.startServer(ctx, srvBin, out, m, "--max-streams", fmt.Sprint(b.O.Streams))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, srv.Stop()) }()
	var rounds []streamsRound
	for range b.O.Rounds {
		r, err := b.streamsRound(ctx, capBin, srv, out)
		if err != nil {
			return nil, err
		}
		rounds = append(rounds, r)
	}
	return b.streamsFigures(rounds), nil
}

// streamsRound runs one stream alone, then b.O.Streams at once.
func (b *Bench) streamsRound(ctx context.Context, capBin string, srv *serverproc.Proc, out string) (streamsRound, error) {
	alone := b.StreamName("alone")
	one, err := b.runCapture(ctx, capBin, srv, out, alone, b.O.Video)
	os.RemoveAll(filepath.Join(out, alone))
	if err != nil {
		return streamsRound{}, err
	}
	r := streamsRound{one: one.fps}
	runs := make([]captureRun, b.O.Streams)
	errs := make([]error, b.O.Streams)
	names := make([]string, b.O.Streams)
	for i := range names {
		names[i] = b.StreamName("many")
	}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range runs {
		wg.Go(func() { runs[i], errs[i] = b.runCapture(ctx, capBin, srv, out, names[i], b.O.Video) })
	}
	wg.Wait()
	wall := time.Since(start)
	for _, name := range names {
		os.RemoveAll(filepath.Join(out, name))
	}
	if err := errors.Join(errs...); err != nil {
		return r, err
	}
	frames := 0
	for _, run := range runs {
		frames += run.frames
		r.each = append(r.each, run.fps)
	}
	r.many = float64(frames) / wall.Seconds()
	return r, nil
}

// streamsFigures prints and returns m's figures: the total fps of many
// streams over one's, and the slowest stream's fps over the fastest's.
func (b *Bench) streamsFigures(rs []streamsRound) []fig.Figure {
	var one, many, fair []float64
	var slowest, fastest []float64
	for _, r := range rs {
		one, many = append(one, r.one), append(many, r.many)
		lo, hi := slices.Min(r.each), slices.Max(r.each)
		fair, slowest, fastest = append(fair, lo/hi), append(slowest, lo), append(fastest, hi)
	}
	n := b.O.Streams
	total := fig.NewFigure("m", fmt.Sprintf("%d streams of the video / one, total fps", n), "fps ratio", fig.PairedRatio(many, one), &fig.Target{Op: ">=", Bound: 0.95},
		fig.Value{Name: fmt.Sprintf("%d streams", n), Value: fig.Median(many), Unit: " fps"}, fig.Value{Name: "one stream", Value: fig.Median(one), Unit: " fps"})
	shared := fig.NewFigure("m", fmt.Sprintf("%d streams: slowest / fastest stream", n), "fps ratio", fig.Median(fair), &fig.Target{Op: ">=", Bound: 0.8},
		fig.Value{Name: "slowest", Value: fig.Median(slowest), Unit: " fps"}, fig.Value{Name: "fastest", Value: fig.Median(fastest), Unit: " fps"})
	b.P.Figure(total)
	b.P.Figure(shared)
	return []fig.Figure{total, shared}
}

package pipefig

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/capture/frameenc"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
)

// driftWindow is the stretch at the start and at the end of the live run
// whose p95 latencies are compared.
const driftWindow = 10 * time.Second

// liveSample is one result of the live run.
type liveSample struct {
	at      time.Duration // since the run started, when the result came
	latency time.Duration
	t       *pb.StageTimings
}

// Live is figure e: a live source at 30 fps through nanodet-416 over
// loopback gRPC with the live window, for LiveDuration.
func (b *Bench) Live(ctx context.Context) (_ []fig.Figure, err error) {
	m, err := rig.Nanodet("nanodet-416", b.O.Model416)
	if err != nil {
		return b.Skip("e", "live latency", err.Error()), nil
	}
	fwd, err := b.forwardAlone(ctx, m)
	if err != nil {
		return nil, err
	}
	r, err := b.NewRig(m, b.O.Workers, b.O.Window)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, r.Close()) }()
	src, err := capture.Open(b.O.LiveSource, capture.Options{})
	if err != nil {
		return b.Skip("e", "live latency", fmt.Sprintf("cannot open the live source: %v", err)), nil
	}
	defer src.Close()
	samples, sum, err := b.runLive(ctx, r, src)
	if err != nil {
		return nil, err
	}
	lat := b.liveLatency(samples, sum, fwd)
	b.P.Figure(lat)
	f := b.liveDrift(samples, sum.Duration)
	b.P.Figure(f)
	return []fig.Figure{lat, f}, nil
}

// forwardAlone is m's median forward time on one of the frames, alone.
func (b *Bench) forwardAlone(ctx context.Context, m rig.ModelSpec) (time.Duration, error) {
	frames, err := b.LoadFrames(ctx, 1)
	if err != nil {
		return 0, err
	}
	ds, err := rig.Stagers(m, 1, frames[0])
	if err != nil {
		return 0, err
	}
	fwd, err := rig.ForwardTime(ds[0], rig.FwdSamples)
	return fwd, errors.Join(err, rig.CloseAll(ds))
}

// runLive streams src through r until LiveDuration has passed and returns
// each result's sample.
func (b *Bench) runLive(ctx context.Context, r *rig.Rig, src *frameenc.Source) ([]liveSample, *stream.Summary, error) {
	if !src.Info().Live {
		return nil, nil, fmt.Errorf("--live-source %q is not a live source", b.O.LiveSource)
	}
	name := b.StreamName("live")
	defer b.DropOutput(name)
	stopCtx, stop := context.WithTimeout(ctx, b.O.LiveDuration)
	defer stop()
	var samples []liveSample
	start := time.Now()
	sum, err := stream.NewClient(r.RPC).Run(ctx, stream.Until(stopCtx, src), stream.ClientConfig{
		Header: &pb.StreamHeader{Name: name, Source: b.O.LiveSource, Live: true, Window: int32(b.O.LiveWindow)},
		OnResult: func(res *pb.FrameResult, lat time.Duration) {
			samples = append(samples, liveSample{at: time.Since(start), latency: lat, t: res.GetTimings()})
		},
	})
	if err != nil {
		return nil, sum, fmt.Errorf("live stream: %w", err)
	}
	if len(samples) == 0 {
		return nil, sum, errors.New("live stream: no results")
	}
	return samples, sum, nil
}

// stageLatencies are the samples' latencies and server stage timings.
type stageLatencies struct {
	lats, queue, decode, infer, annotate, write []time.Duration
}

// newStageLatencies gathers the samples' latencies, stage by stage.
func newStageLatencies(samples []liveSample) stageLatencies {
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	var l stageLatencies
	for _, s := range samples {
		l.lats = append(l.lats, s.latency)
		l.queue = append(l.queue, us(s.t.GetQueueUs()))
		l.decode = append(l.decode, us(s.t.GetDecodeUs()))
		l.infer = append(l.infer, us(s.t.GetInferenceUs()))
		l.annotate = append(l.annotate, us(s.t.GetAnnotateUs()))
		l.write = append(l.write, us(s.t.GetWriteUs()))
	}
	return l
}

// liveLatency is e's latency figure: p99 against twice the forward time
// alone plus a frame interval.
func (b *Bench) liveLatency(samples []liveSample, sum *stream.Summary, fwd time.Duration) fig.Figure {
	l := newStageLatencies(samples)
	bound := 2*fig.MS(fwd) + 30
	title := fmt.Sprintf("live latency nanodet-416 window %d", b.O.LiveWindow)
	return fig.NewFigure("e", title, "p99 ms", fig.MS(fig.Quantile(l.lats, 0.99)), &fig.Target{Op: "<=", Bound: bound},
		fig.Value{Name: "p50", Value: fig.MS(fig.Quantile(l.lats, 0.50)), Unit: "ms"}, fig.Value{Name: "p95", Value: fig.MS(fig.Quantile(l.lats, 0.95)), Unit: "ms"},
		fig.Value{Name: "forward alone", Value: fig.MS(fwd), Unit: "ms"}, fig.Value{Name: "results", Value: float64(len(samples)), Unit: ""},
		fig.Value{Name: "fps", Value: sum.FPS(), Unit: ""}, fig.Value{Name: "dropped", Value: float64(sum.Dropped), Unit: ""},
		fig.Value{Name: "server p50: queue", Value: fig.MS(fig.Quantile(l.queue, 0.5)), Unit: "ms"}, fig.Value{Name: "decode", Value: fig.MS(fig.Quantile(l.decode, 0.5)), Unit: "ms"},
		fig.Value{Name: "inference", Value: fig.MS(fig.Quantile(l.infer, 0.5)), Unit: "ms"}, fig.Value{Name: "draw+encode", Value: fig.MS(fig.Quantile(l.annotate, 0.5)), Unit: "ms"},
		fig.Value{Name: "write", Value: fig.MS(fig.Quantile(l.write, 0.5)), Unit: "ms"})
}

// liveDrift is e's drift figure: p95 of the last driftWindow over the first.
func (b *Bench) liveDrift(samples []liveSample, total time.Duration) fig.Figure {
	first, last := driftWindows(samples, total)
	if len(first) == 0 || len(last) == 0 {
		return fig.Skipped("e", "live drift", fmt.Sprintf("a run of %s is too short: drift compares the first and last %s", b.O.LiveDuration, driftWindow))
	}
	p0, p1 := fig.Quantile(first, 0.95), fig.Quantile(last, 0.95)
	return fig.NewFigure("e", "live drift nanodet-416", "p95 last/first 10s", float64(p1)/float64(p0), &fig.Target{Op: "<=", Bound: 1.10},
		fig.Value{Name: "p95 first 10s", Value: fig.MS(p0), Unit: "ms"}, fig.Value{Name: "p95 last 10s", Value: fig.MS(p1), Unit: "ms"})
}

// driftWindows returns the latencies of the results of the first and of
// the last driftWindow of a run of length total; both are empty when the
// run is shorter than two windows.
func driftWindows(samples []liveSample, total time.Duration) (first, last []time.Duration) {
	if total < 2*driftWindow {
		return nil, nil
	}
	for _, s := range samples {
		switch {
		case s.at < driftWindow:
			first = append(first, s.latency)
		case s.at >= total-driftWindow:
			last = append(last, s.latency)
		}
	}
	return first, last
}

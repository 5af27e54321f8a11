package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/framewire/framewire/capture"
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

// live is figure e: a live source at 30 fps through nanodet-416 over
// loopback gRPC with the live window, for LiveDuration.
func (b *bench) live(ctx context.Context) ([]figure, error) {
	m, err := nanodet("nanodet-416", b.o.Model416)
	if err != nil {
		return b.skip("e", "live latency", err.Error()), nil
	}
	fwd, err := b.forwardAlone(ctx, m)
	if err != nil {
		return nil, err
	}
	r, err := b.newRig(m, b.o.Workers, b.o.Window)
	if err != nil {
		return nil, err
	}
	defer r.close()
	src, err := capture.Open(b.o.LiveSource, capture.Options{})
	if err != nil {
		return b.skip("e", "live latency", fmt.Sprintf("cannot open the live source: %v", err)), nil
	}
	defer src.Close()
	samples, sum, err := b.runLive(ctx, r, src)
	if err != nil {
		return nil, err
	}
	lat := b.liveLatency(samples, sum, fwd)
	b.p.figure(lat)
	f := b.liveDrift(samples, sum.Duration)
	b.p.figure(f)
	return []figure{lat, f}, nil
}

// skip prints and returns the one figure saying why id is skipped.
func (b *bench) skip(id, title, why string) []figure {
	f := skipped(id, title, why)
	b.p.figure(f)
	return []figure{f}
}

// forwardAlone is m's median forward time on one of the frames, alone.
func (b *bench) forwardAlone(ctx context.Context, m modelSpec) (time.Duration, error) {
	frames, err := b.loadFrames(ctx, 1)
	if err != nil {
		return 0, err
	}
	ds, err := stagers(m, 1, frames[0])
	if err != nil {
		return 0, err
	}
	fwd, err := forwardTime(ds[0], fwdSamples)
	return fwd, errors.Join(err, closeAll(ds))
}

// runLive streams src through r until LiveDuration has passed and returns
// each result's sample.
func (b *bench) runLive(ctx context.Context, r *rig, src *capture.VideoSource) ([]liveSample, *stream.Summary, error) {
	if !src.Info().Live {
		return nil, nil, fmt.Errorf("--live-source %q is not a live source", b.o.LiveSource)
	}
	name := b.streamName("live")
	defer b.dropOutput(name)
	stopCtx, stop := context.WithTimeout(ctx, b.o.LiveDuration)
	defer stop()
	var samples []liveSample
	start := time.Now()
	sum, err := stream.NewClient(r.rpc).Run(ctx, stream.Until(stopCtx.Done(), src), stream.ClientConfig{
		Header: &pb.StreamHeader{Name: name, Source: b.o.LiveSource, Live: true, Window: int32(b.o.LiveWindow)},
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
func (b *bench) liveLatency(samples []liveSample, sum *stream.Summary, fwd time.Duration) figure {
	l := newStageLatencies(samples)
	bound := 2*ms(fwd) + 30
	title := fmt.Sprintf("live latency nanodet-416 window %d", b.o.LiveWindow)
	return newFigure("e", title, "p99 ms", ms(quantile(l.lats, 0.99)), &target{"<=", bound},
		value{"p50", ms(quantile(l.lats, 0.50)), "ms"}, value{"p95", ms(quantile(l.lats, 0.95)), "ms"},
		value{"forward alone", ms(fwd), "ms"}, value{"results", float64(len(samples)), ""},
		value{"fps", sum.FPS(), ""}, value{"dropped", float64(sum.Dropped), ""},
		value{"server p50: queue", ms(quantile(l.queue, 0.5)), "ms"}, value{"decode", ms(quantile(l.decode, 0.5)), "ms"},
		value{"inference", ms(quantile(l.infer, 0.5)), "ms"}, value{"draw+encode", ms(quantile(l.annotate, 0.5)), "ms"},
		value{"write", ms(quantile(l.write, 0.5)), "ms"})
}

// liveDrift is e's drift figure: p95 of the last driftWindow over the first.
func (b *bench) liveDrift(samples []liveSample, total time.Duration) figure {
	first, last := driftWindows(samples, total)
	if len(first) == 0 || len(last) == 0 {
		return skipped("e", "live drift", fmt.Sprintf("a run of %s is too short: drift compares the first and last %s", b.o.LiveDuration, driftWindow))
	}
	p0, p1 := quantile(first, 0.95), quantile(last, 0.95)
	return newFigure("e", "live drift nanodet-416", "p95 last/first 10s", float64(p1)/float64(p0), &target{"<=", 1.10},
		value{"p95 first 10s", ms(p0), "ms"}, value{"p95 last 10s", ms(p1), "ms"})
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

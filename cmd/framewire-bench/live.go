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
		f := skipped("e", "live latency", err.Error())
		b.p.figure(f)
		return []figure{f}, nil
	}
	frames, err := b.loadFrames(ctx, 1)
	if err != nil {
		return nil, err
	}
	ds, err := stagers(m, 1, frames[0])
	if err != nil {
		return nil, err
	}
	fwd, err := forwardTime(ds[0], fwdSamples)
	if err = errors.Join(err, closeAll(ds)); err != nil {
		return nil, err
	}
	r, err := b.newRig(m, b.o.Workers, b.o.Window)
	if err != nil {
		return nil, err
	}
	defer r.close()
	src, err := capture.Open(b.o.LiveSource, capture.Options{})
	if err != nil {
		f := skipped("e", "live latency", fmt.Sprintf("cannot open the live source: %v", err))
		b.p.figure(f)
		return []figure{f}, nil
	}
	defer src.Close()
	if !src.Info().Live {
		return nil, fmt.Errorf("--live-source %q is not a live source", b.o.LiveSource)
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
		return nil, fmt.Errorf("live stream: %w", err)
	}
	if len(samples) == 0 {
		return nil, errors.New("live stream: no results")
	}
	lats := make([]time.Duration, len(samples))
	var queue, decode, infer, annotate, write []time.Duration
	for i, s := range samples {
		lats[i] = s.latency
		us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
		queue = append(queue, us(s.t.GetQueueUs()))
		decode = append(decode, us(s.t.GetDecodeUs()))
		infer = append(infer, us(s.t.GetInferenceUs()))
		annotate = append(annotate, us(s.t.GetAnnotateUs()))
		write = append(write, us(s.t.GetWriteUs()))
	}
	bound := 2*ms(fwd) + 30
	title := fmt.Sprintf("live latency nanodet-416 window %d", b.o.LiveWindow)
	lat := newFigure("e", title, "p99 ms", ms(quantile(lats, 0.99)), &target{"<=", bound},
		value{"p50", ms(quantile(lats, 0.50)), "ms"}, value{"p95", ms(quantile(lats, 0.95)), "ms"},
		value{"forward alone", ms(fwd), "ms"}, value{"results", float64(len(samples)), ""},
		value{"fps", sum.FPS(), ""}, value{"dropped", float64(sum.Dropped), ""},
		value{"server p50: queue", ms(quantile(queue, 0.5)), "ms"}, value{"decode", ms(quantile(decode, 0.5)), "ms"},
		value{"inference", ms(quantile(infer, 0.5)), "ms"}, value{"draw+encode", ms(quantile(annotate, 0.5)), "ms"},
		value{"write", ms(quantile(write, 0.5)), "ms"})
	b.p.figure(lat)
	figs := []figure{lat}
	first, last := driftWindows(samples, sum.Duration)
	var f figure
	if len(first) == 0 || len(last) == 0 {
		f = skipped("e", "live drift", fmt.Sprintf("a run of %s is too short: drift compares the first and last %s", b.o.LiveDuration, driftWindow))
	} else {
		p0, p1 := quantile(first, 0.95), quantile(last, 0.95)
		f = newFigure("e", "live drift nanodet-416", "p95 last/first 10s", float64(p1)/float64(p0), &target{"<=", 1.10},
			value{"p95 first 10s", ms(p0), "ms"}, value{"p95 last 10s", ms(p1), "ms"})
	}
	b.p.figure(f)
	return append(figs, f), nil
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

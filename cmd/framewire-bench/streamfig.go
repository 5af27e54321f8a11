package main

import (
	"context"
	"fmt"

	pb "github.com/framewire/framewire/proto"
)

// warmUpFrames is how many frames each variant runs once, unmeasured,
// before the rounds: first-use costs (page faults, OpenCV allocations,
// HTTP/2 windows) are not what the figures compare.
const warmUpFrames = 16

// streamModels are the models of figures a and b, each with a's target.
func (b *bench) streamModels(id string) ([]modelSpec, []float64, []figure) {
	var ms []modelSpec
	var targets []float64
	var skips []figure
	if m, err := nanodet("nanodet-320", b.o.Model320); err == nil {
		ms, targets = append(ms, m), append(targets, 0.97)
	} else {
		skips = append(skips, skipped(id, "nanodet-320", err.Error()))
	}
	return append(ms, meanModel()), append(targets, 0.90), skips
}

// warmUp runs each variant once on a few frames.
func warmUp(frames []*pb.Frame, variants ...func([]*pb.Frame) (float64, error)) error {
	w := frames[:min(len(frames), warmUpFrames)]
	for _, v := range variants {
		if _, err := v(w); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	return nil
}

// streamOverhead is figure a: the same frames, model and output through
// the pipeline in-process and through the real client over loopback gRPC.
func (b *bench) streamOverhead(ctx context.Context) ([]figure, error) {
	models, targets, figs := b.streamModels("a")
	for _, f := range figs {
		b.p.figure(f)
	}
	frames, err := b.loadFrames(ctx, b.o.Frames)
	if err != nil {
		return figs, err
	}
	for i, m := range models {
		f, err := b.streamOverheadOf(ctx, m, targets[i], frames)
		if err != nil {
			return figs, fmt.Errorf("%s: %w", m.name, err)
		}
		b.p.figure(f)
		figs = append(figs, f)
	}
	return figs, nil
}

func (b *bench) streamOverheadOf(ctx context.Context, m modelSpec, bound float64, frames []*pb.Frame) (figure, error) {
	r, err := b.newRig(m, b.o.Workers, b.o.Window)
	if err != nil {
		return figure{}, err
	}
	defer r.close()
	inproc := func(fs []*pb.Frame) (float64, error) { return b.runInProcess(ctx, r, fs) }
	grpc := func(fs []*pb.Frame) (float64, error) { return b.runGRPC(ctx, r, fs) }
	if err := warmUp(frames, inproc, grpc); err != nil {
		return figure{}, err
	}
	var cpuIn, cpuGRPC []float64
	n := len(frames)
	s, err := interleave(b.roundsFor(m),
		withCPU(&cpuIn, n, func() (float64, error) { return inproc(frames) }),
		withCPU(&cpuGRPC, n, func() (float64, error) { return grpc(frames) }))
	if err != nil {
		return figure{}, err
	}
	return newFigure("a", "stream overhead "+m.name, "grpc/in-process fps", pairedRatio(s[1], s[0]),
		&target{">=", bound},
		value{"in-process", median(s[0]), " fps"}, value{"grpc", median(s[1]), " fps"},
		value{"CPU/frame in-process", median(cpuIn), "ms"}, value{"grpc", median(cpuGRPC), "ms"},
		value{"in-process/grpc CPU", pairedRatio(cpuIn, cpuGRPC), ""}), nil
}

// streamVsUnary is figure b: one long-lived stream against one DetectFrame
// call per frame, from one caller and from several.
func (b *bench) streamVsUnary(ctx context.Context) ([]figure, error) {
	models, _, figs := b.streamModels("b")
	for _, f := range figs {
		b.p.figure(f)
	}
	frames, err := b.loadFrames(ctx, b.o.Frames)
	if err != nil {
		return figs, err
	}
	for _, m := range models {
		fs, err := b.streamVsUnaryOf(ctx, m, frames)
		if err != nil {
			return figs, fmt.Errorf("%s: %w", m.name, err)
		}
		for _, f := range fs {
			b.p.figure(f)
		}
		figs = append(figs, fs...)
	}
	return figs, nil
}

func (b *bench) streamVsUnaryOf(ctx context.Context, m modelSpec, frames []*pb.Frame) ([]figure, error) {
	r, err := b.newRig(m, b.o.Workers, b.o.Window)
	if err != nil {
		return nil, err
	}
	defer r.close()
	k := b.o.UnaryCallers
	str := func(fs []*pb.Frame) (float64, error) { return b.runGRPC(ctx, r, fs) }
	seq := func(fs []*pb.Frame) (float64, error) { return b.runUnary(ctx, r, fs, 1) }
	conc := func(fs []*pb.Frame) (float64, error) { return b.runUnary(ctx, r, fs, k) }
	if err := warmUp(frames, str, seq, conc); err != nil {
		return nil, err
	}
	cpu := make([][]float64, 3)
	n := len(frames)
	s, err := interleave(b.roundsFor(m),
		withCPU(&cpu[0], n, func() (float64, error) { return str(frames) }),
		withCPU(&cpu[1], n, func() (float64, error) { return seq(frames) }),
		withCPU(&cpu[2], n, func() (float64, error) { return conc(frames) }))
	if err != nil {
		return nil, err
	}
	stream := []value{{"stream", median(s[0]), " fps"}, {"CPU/frame stream", median(cpu[0]), "ms"}}
	return []figure{
		newFigure("b", "unary x1 vs stream "+m.name, "unary/stream fps", pairedRatio(s[1], s[0]), nil,
			append([]value{{"unary x1", median(s[1]), " fps"}, {"CPU/frame unary", median(cpu[1]), "ms"}}, stream...)...),
		newFigure("b", fmt.Sprintf("unary x%d vs stream %s", k, m.name), "unary/stream fps", pairedRatio(s[2], s[0]), nil,
			append([]value{{fmt.Sprintf("unary x%d", k), median(s[2]), " fps"}, {"CPU/frame unary", median(cpu[2]), "ms"}}, stream...)...),
	}, nil
}

// roundsFor is the number of rounds for m: a run of the mean model takes
// about a second, so it gets three times the rounds, which steadies the
// median on a shared machine at little cost.
func (b *bench) roundsFor(m modelSpec) int {
	if m.cfg.Kind == meanModel().cfg.Kind {
		return 3 * b.o.Rounds
	}
	return b.o.Rounds
}

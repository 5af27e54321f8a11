package pipefig

import (
	"context"
	"errors"
	"fmt"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	pb "github.com/framewire/framewire/proto"
)

// streamModels are the models of figures a and b, each with a's target.
func (b *Bench) streamModels(id string) ([]rig.ModelSpec, []float64, []fig.Figure) {
	var ms []rig.ModelSpec
	var targets []float64
	var skips []fig.Figure
	if m, err := rig.Nanodet("nanodet-320", b.O.Model320); err == nil {
		ms, targets = append(ms, m), append(targets, 0.97)
	} else {
		skips = append(skips, fig.Skipped(id, "nanodet-320", err.Error()))
	}
	return append(ms, rig.MeanModel()), append(targets, 0.90), skips
}

// StreamOverhead is figure a: the same frames, model and output through
// the pipeline in-process and through the real client over loopback gRPC.
func (b *Bench) StreamOverhead(ctx context.Context) ([]fig.Figure, error) {
	models, targets, figs := b.streamModels("a")
	for _, f := range figs {
		b.P.Figure(f)
	}
	frames, err := b.LoadFrames(ctx, b.O.Frames)
	if err != nil {
		return figs, err
	}
	for i, m := range models {
		f, err := b.streamOverheadOf(ctx, m, targets[i], frames)
		if err != nil {
			return figs, fmt.Errorf("%s: %w", m.Name, err)
		}
		b.P.Figure(f)
		figs = append(figs, f)
	}
	return figs, nil
}

func (b *Bench) streamOverheadOf(ctx context.Context, m rig.ModelSpec, bound float64, frames []*pb.Frame) (_ fig.Figure, err error) {
	r, err := b.NewRig(m, b.O.Workers, b.O.Window)
	if err != nil {
		return fig.Figure{}, err
	}
	defer func() { err = errors.Join(err, r.Close()) }()
	inproc := func(fs []*pb.Frame) (float64, error) { return b.RunInProcess(ctx, r, fs) }
	grpc := func(fs []*pb.Frame) (float64, error) { return b.RunGRPC(ctx, r, fs) }
	if err := rig.WarmUp(frames, inproc, grpc); err != nil {
		return fig.Figure{}, err
	}
	var cpuIn, cpuGRPC []float64
	n := len(frames)
	s, err := fig.Interleave(b.roundsFor(m),
		rig.WithCPU(&cpuIn, n, func() (float64, error) { return inproc(frames) }),
		rig.WithCPU(&cpuGRPC, n, func() (float64, error) { return grpc(frames) }))
	if err != nil {
		return fig.Figure{}, err
	}
	return fig.NewFigure("a", "stream overhead "+m.Name, "grpc/in-process fps", fig.PairedRatio(s[1], s[0]),
		&fig.Target{Op: ">=", Bound: bound},
		fig.Value{Name: "in-process", Value: fig.Median(s[0]), Unit: " fps"}, fig.Value{Name: "grpc", Value: fig.Median(s[1]), Unit: " fps"},
		fig.Value{Name: "CPU/frame in-process", Value: fig.Median(cpuIn), Unit: "ms"}, fig.Value{Name: "grpc", Value: fig.Median(cpuGRPC), Unit: "ms"},
		fig.Value{Name: "in-process/grpc CPU", Value: fig.PairedRatio(cpuIn, cpuGRPC), Unit: ""}), nil
}

// StreamVsUnary is figure b: one long-lived stream against one DetectFrame
// call per frame, from one caller and from several.
func (b *Bench) StreamVsUnary(ctx context.Context) ([]fig.Figure, error) {
	models, _, figs := b.streamModels("b")
	for _, f := range figs {
		b.P.Figure(f)
	}
	frames, err := b.LoadFrames(ctx, b.O.Frames)
	if err != nil {
		return figs, err
	}
	for _, m := range models {
		fs, err := b.streamVsUnaryOf(ctx, m, frames)
		if err != nil {
			return figs, fmt.Errorf("%s: %w", m.Name, err)
		}
		for _, f := range fs {
			b.P.Figure(f)
		}
		figs = append(figs, fs...)
	}
	return figs, nil
}

func (b *Bench) streamVsUnaryOf(ctx context.Context, m rig.ModelSpec, frames []*pb.Frame) (_ []fig.Figure, err error) {
	r, err := b.NewRig(m, b.O.Workers, b.O.Window)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, r.Close()) }()
	k := b.O.UnaryCallers
	str := func(fs []*pb.Frame) (float64, error) { return b.RunGRPC(ctx, r, fs) }
	seq := func(fs []*pb.Frame) (float64, error) { return b.RunUnary(ctx, r, fs, 1) }
	conc := func(fs []*pb.Frame) (float64, error) { return b.RunUnary(ctx, r, fs, k) }
	if err := rig.WarmUp(frames, str, seq, conc); err != nil {
		return nil, err
	}
	cpu := make([][]float64, 3)
	n := len(frames)
	s, err := fig.Interleave(b.roundsFor(m),
		rig.WithCPU(&cpu[0], n, func() (float64, error) { return str(frames) }),
		rig.WithCPU(&cpu[1], n, func() (float64, error) { return seq(frames) }),
		rig.WithCPU(&cpu[2], n, func() (float64, error) { return conc(frames) }))
	if err != nil {
		return nil, err
	}
	stream := []fig.Value{{Name: "stream", Value: fig.Median(s[0]), Unit: " fps"}, {Name: "CPU/frame stream", Value: fig.Median(cpu[0]), Unit: "ms"}}
	return []fig.Figure{
		fig.NewFigure("b", "unary x1 vs stream "+m.Name, "unary/stream fps", fig.PairedRatio(s[1], s[0]), nil,
			append([]fig.Value{{Name: "unary x1", Value: fig.Median(s[1]), Unit: " fps"}, {Name: "CPU/frame unary", Value: fig.Median(cpu[1]), Unit: "ms"}}, stream...)...),
		fig.NewFigure("b", fmt.Sprintf("unary x%d vs stream %s", k, m.Name), "unary/stream fps", fig.PairedRatio(s[2], s[0]), nil,
			append([]fig.Value{{Name: fmt.Sprintf("unary x%d", k), Value: fig.Median(s[2]), Unit: " fps"}, {Name: "CPU/frame unary", Value: fig.Median(cpu[2]), Unit: "ms"}}, stream...)...),
	}, nil
}

// roundsFor is the number of rounds for m: a run of the mean model takes
// about a second, so it gets three times the rounds, which steadies the
// median on a shared machine at little cost.
func (b *Bench) roundsFor(m rig.ModelSpec) int {
	if m.Cfg.Kind == rig.MeanModel().Cfg.Kind {
		return 3 * b.O.Rounds
	}
	return b.O.Rounds
}

package pipefig

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	pb "github.com/framewire/framewire/proto"
)

// MeanWH is figure c: ImageMeanWH over loopback gRPC against the same
// Service method called in-process, at concurrency 1 and 8.
func (b *Bench) MeanWH(ctx context.Context) (_ []fig.Figure, err error) {
	r, err := b.NewRig(rig.MeanModel(), b.O.Workers, b.O.Window)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, r.Close()) }()
	req := meanWHRequest()
	inproc := func(ctx context.Context) error { return checkMeanWH(r.Svc.ImageMeanWH(ctx, req)) }
	remote := func(ctx context.Context) error { return checkMeanWH(r.RPC.ImageMeanWH(ctx, req)) }
	var figs []fig.Figure
	for _, conc := range []int{1, 8} {
		f, err := b.meanWHAt(ctx, conc, inproc, remote)
		if err != nil {
			return figs, err
		}
		b.P.Figure(f)
		figs = append(figs, f)
	}
	return figs, nil
}

// meanWHRequest is the tutorial's request for a random 416x416x3 frame.
func meanWHRequest() *pb.B64Image {
	px := make([]byte, rig.MeanWHSide*rig.MeanWHSide*3)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range px {
		px[i] = byte(rng.Uint32())
	}
	return &pb.B64Image{B64Image: base64.StdEncoding.EncodeToString(px), Width: rig.MeanWHSide, Height: rig.MeanWHSide}
}

// checkMeanWH says what is wrong with an ImageMeanWH answer, if anything.
func checkMeanWH(p *pb.Prediction, err error) error {
	if err != nil {
		return fmt.Errorf("ImageMeanWH: %w", err)
	}
	if p.GetChannel() != 3 {
		return fmt.Errorf("ImageMeanWH: %d channels, want 3", p.GetChannel())
	}
	return nil
}

// meanWHAt is c's figure with conc calls at once: after a warm-up, the
// in-process and gRPC calls in interleaved rounds.
func (b *Bench) meanWHAt(ctx context.Context, conc int, inproc, remote func(context.Context) error) (fig.Figure, error) {
	var in, gr []fig.CallStats
	run := func(call func(context.Context) error, into *[]fig.CallStats) func() (float64, error) {
		return func() (float64, error) {
			s, err := fig.Hammer(ctx, conc, b.O.MeanWHDuration, call)
			*into = append(*into, s)
			return s.PerSec, err
		}
	}
	if _, err := fig.Hammer(ctx, conc, b.O.MeanWHDuration/4, remote); err != nil {
		return fig.Figure{}, err
	}
	s, err := fig.Interleave(b.O.Rounds, run(inproc, &in), run(remote, &gr))
	if err != nil {
		return fig.Figure{}, err
	}
	return fig.NewFigure("c", fmt.Sprintf("ImageMeanWH 416x416x3, %d at once", conc), "grpc/in-process calls/s",
		fig.PairedRatio(s[1], s[0]), nil,
		fig.Value{Name: "grpc", Value: fig.Median(s[1]), Unit: "/s"},
		fig.Value{Name: "p50", Value: fig.MedianQuantile(gr, 0.50), Unit: "ms"}, fig.Value{Name: "p99", Value: fig.MedianQuantile(gr, 0.99), Unit: "ms"},
		fig.Value{Name: "in-process", Value: fig.Median(s[0]), Unit: "/s"},
		fig.Value{Name: "p50", Value: fig.MedianQuantile(in, 0.50), Unit: "ms"}, fig.Value{Name: "p99", Value: fig.MedianQuantile(in, 0.99), Unit: "ms"}), nil
}

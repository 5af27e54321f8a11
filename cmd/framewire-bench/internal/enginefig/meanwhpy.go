package enginefig

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
)

// meanWHPyConc is how many ImageMeanWH calls j keeps in flight.
const meanWHPyConc = 8

// MeanWHVsPython is figure j: ImageMeanWH, 416x416x3, 8 calls at once,
// against framewire-server (the real binary) and against the tutorial's
// Python server, from the same pre-marshalled Go load client, the two
// interleaved round by round.
func (b *Bench) MeanWHVsPython(ctx context.Context) (figs []fig.Figure, err error) {
	if err := rig.PythonHas(b.O.Python, "grpc", "grpc_tools", "numpy"); err != nil {
		return b.Skip("j", "ImageMeanWH vs python", err.Error()), nil
	}
	dir := filepath.Join(b.Tmp, "meanwh-py")
	stubs := filepath.Join(dir, "stubs")
	if err := rig.PythonStubs(ctx, b.O.Python, b.O.Proto, stubs); err != nil {
		return nil, err
	}
	fw, err := b.StartServer(ctx, "meanwh-py", "--model", "mean")
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, fw.Stop()) }()
	py, err := rig.StartPython(ctx, b.O.Python, filepath.Join(b.O.Scripts, "meanwh_server.py"), stubs)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, py.Stop()) }()
	f, err := b.meanWHVsPythonOn(ctx, fw.Addr, py.Addr)
	if err != nil {
		return nil, err
	}
	b.P.Figure(f)
	return []fig.Figure{f}, nil
}

func (b *Bench) meanWHVsPythonOn(ctx context.Context, fwAddr, pyAddr string) (fig.Figure, error) {
	load, err := rig.NewMeanWHLoad()
	if err != nil {
		return fig.Figure{}, err
	}
	var runs [2][]fig.CallStats
	var variants []func() (float64, error)
	for i, addr := range []string{fwAddr, pyAddr} {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(rig.MaxMsg), grpc.MaxCallSendMsgSize(rig.MaxMsg)))
		if err != nil {
			return fig.Figure{}, fmt.Errorf("connect to %s: %w", addr, err)
		}
		defer conn.Close()
		v, err := b.meanWHVariant(ctx, load, conn, &runs[i])
		if err != nil {
			return fig.Figure{}, err
		}
		variants = append(variants, v)
	}
	s, err := fig.Interleave(3*b.O.Rounds, variants...)
	if err != nil {
		return fig.Figure{}, err
	}
	return fig.NewFigure("j", fmt.Sprintf("ImageMeanWH 416x416x3, %d at once: vs python", meanWHPyConc), "framewire/python calls/s",
		fig.PairedRatio(s[0], s[1]), &fig.Target{Op: ">=", Bound: 5}, // issue 18
		fig.Value{Name: "framewire-server", Value: fig.Median(s[0]), Unit: "/s"},
		fig.Value{Name: "p50", Value: fig.MedianQuantile(runs[0], 0.50), Unit: "ms"}, fig.Value{Name: "p99", Value: fig.MedianQuantile(runs[0], 0.99), Unit: "ms"},
		fig.Value{Name: "python grpcio+numpy", Value: fig.Median(s[1]), Unit: "/s"},
		fig.Value{Name: "p50", Value: fig.MedianQuantile(runs[1], 0.50), Unit: "ms"}, fig.Value{Name: "p99", Value: fig.MedianQuantile(runs[1], 0.99), Unit: "ms"}), nil
}

// meanWHVariant warms up meanWHPyConc callers of load on conn and returns
// the variant that runs them once, adding each run's calls to runs.
func (b *Bench) meanWHVariant(ctx context.Context, load *rig.MeanWHLoad, conn *grpc.ClientConn, runs *[]fig.CallStats) (func() (float64, error), error) {
	calls := make([]func(context.Context) error, meanWHPyConc)
	for g := range calls {
		calls[g] = load.Caller(conn)
	}
	if _, err := fig.HammerWith(ctx, b.O.MeanWHDuration/4, calls); err != nil { // warm-up
		return nil, err
	}
	return func() (float64, error) {
		s, err := fig.HammerWith(ctx, b.O.MeanWHDuration, calls)
		*runs = append(*runs, s)
		return s.PerSec, err
	}, nil
}

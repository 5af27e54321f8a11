package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	"github.com/framewire/framewire/cmd/internal/serverproc"
	pb "github.com/framewire/framewire/proto"
)

// meanWHPyConc is how many ImageMeanWH calls j keeps in flight.
const meanWHPyConc = 8

// meanWHMethod is the tutorial's RPC, as both servers serve it.
const meanWHMethod = "/ImageProcedure/ImageMeanWH"

// rawCodec sends a request marshalled beforehand as it is and keeps the
// reply's bytes, so that the load client spends the same little work on
// every call whichever server answers.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// meanWHLoad is the tutorial's request marshalled once, and its answer.
type meanWHLoad struct {
	req      []byte
	channels int32
	mean     float32
}

// newMeanWHLoad makes a random 416x416x3 frame's request.
func newMeanWHLoad() (*meanWHLoad, error) {
	px := make([]byte, meanWHSide*meanWHSide*3)
	rng := rand.New(rand.NewPCG(3, 4))
	var sum uint64
	for i := range px {
		px[i] = byte(rng.Uint32())
		sum += uint64(px[i])
	}
	req, err := proto.Marshal(&pb.B64Image{B64Image: base64.StdEncoding.EncodeToString(px), Width: meanWHSide, Height: meanWHSide})
	if err != nil {
		return nil, fmt.Errorf("marshal the request: %w", err)
	}
	return &meanWHLoad{req: req, channels: 3, mean: float32(float64(sum) / float64(len(px)))}, nil
}

// caller returns one load goroutine's call on conn: the pre-marshalled
// request, the reply checked against the true answer.
func (l *meanWHLoad) caller(conn *grpc.ClientConn) func(context.Context) error {
	var reply []byte
	var p pb.Prediction
	return func(ctx context.Context) error {
		if err := conn.Invoke(ctx, meanWHMethod, &l.req, &reply, grpc.ForceCodec(rawCodec{})); err != nil {
			return fmt.Errorf("ImageMeanWH: %w", err)
		}
		if err := proto.Unmarshal(reply, &p); err != nil {
			return fmt.Errorf("ImageMeanWH reply: %w", err)
		}
		if p.Channel != l.channels || math.Abs(float64(p.Mean-l.mean)) > 1e-3 {
			return fmt.Errorf("ImageMeanWH = %d, %v; want %d, %v", p.Channel, p.Mean, l.channels, l.mean)
		}
		return nil
	}
}

// meanWHVsPython is figure j: ImageMeanWH, 416x416x3, 8 calls at once,
// against framewire-server (the real binary) and against the tutorial's
// Python server, from the same pre-marshalled Go load client, the two
// interleaved round by round.
func (b *bench) meanWHVsPython(ctx context.Context) (figs []figure, err error) {
	if err := pythonHas(b.o.Python, "grpc", "grpc_tools", "numpy"); err != nil {
		f := skipped("j", "ImageMeanWH vs python", err.Error())
		b.p.figure(f)
		return []figure{f}, nil
	}
	dir := filepath.Join(b.tmp, "meanwh-py")
	stubs := filepath.Join(dir, "stubs")
	if err := pythonStubs(ctx, b.o.Python, b.o.Proto, stubs); err != nil {
		return nil, err
	}
	bin, err := serverproc.Build(ctx, dir)
	if err != nil {
		return nil, err
	}
	fw, err := serverproc.Start(ctx, bin, "--out", filepath.Join(dir, "out"), "--model", "mean", "--workers", strconv.Itoa(b.o.Workers))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, fw.Stop()) }()
	py, err := startPython(ctx, b.o.Python, filepath.Join(b.o.Scripts, "meanwh_server.py"), stubs)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, py.stop()) }()
	f, err := b.meanWHVsPythonOn(ctx, fw.Addr, py.addr)
	if err != nil {
		return nil, err
	}
	b.p.figure(f)
	return []figure{f}, nil
}

func (b *bench) meanWHVsPythonOn(ctx context.Context, fwAddr, pyAddr string) (figure, error) {
	load, err := newMeanWHLoad()
	if err != nil {
		return figure{}, err
	}
	var runs [2][]callStats
	var variants []func() (float64, error)
	for i, addr := range []string{fwAddr, pyAddr} {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMsg), grpc.MaxCallSendMsgSize(maxMsg)))
		if err != nil {
			return figure{}, fmt.Errorf("connect to %s: %w", addr, err)
		}
		defer conn.Close()
		calls := make([]func(context.Context) error, meanWHPyConc)
		for g := range calls {
			calls[g] = load.caller(conn)
		}
		if _, err := hammerWith(ctx, b.o.MeanWHDuration/4, calls); err != nil { // warm-up
			return figure{}, err
		}
		variants = append(variants, func() (float64, error) {
			s, err := hammerWith(ctx, b.o.MeanWHDuration, calls)
			runs[i] = append(runs[i], s)
			return s.perSec, err
		})
	}
	s, err := interleave(3*b.o.Rounds, variants...)
	if err != nil {
		return figure{}, err
	}
	return newFigure("j", fmt.Sprintf("ImageMeanWH 416x416x3, %d at once: vs python", meanWHPyConc), "framewire/python calls/s",
		pairedRatio(s[0], s[1]), &target{">=", 3},
		value{"framewire-server", median(s[0]), "/s"},
		value{"p50", medianQuantile(runs[0], 0.50), "ms"}, value{"p99", medianQuantile(runs[0], 0.99), "ms"},
		value{"python grpcio+numpy", median(s[1]), "/s"},
		value{"p50", medianQuantile(runs[1], 0.50), "ms"}, value{"p99", medianQuantile(runs[1], 0.99), "ms"}), nil
}

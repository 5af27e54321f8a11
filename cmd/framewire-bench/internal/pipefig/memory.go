package pipefig

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	"github.com/framewire/framewire/internal/serverproc"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
)

// Memory is figure f: the real framewire-server binary with the mean
// model; its RSS after MemFrames frames minus its RSS after MemBase.
func (b *Bench) Memory(ctx context.Context) (figs []fig.Figure, err error) {
	frames, err := b.LoadFrames(ctx, b.O.Frames)
	if err != nil {
		return nil, err
	}
	srv, err := b.startMeanServer(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, srv.Stop()) }()
	conn, err := grpc.NewClient(srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(rig.MaxMsg), grpc.MaxCallSendMsgSize(rig.MaxMsg)))
	if err != nil {
		return nil, fmt.Errorf("connect to framewire-server: %w", err)
	}
	defer conn.Close()
	s := frameSender{c: stream.NewClient(pb.NewImageProcedureClient(conn)), Frames: frames, window: b.O.Window}
	base, total := int64(b.O.MemBase), int64(b.O.MemFrames)
	rss0, err := s.sendThenRSS(ctx, srv, "mem-base", 0, base)
	if err != nil {
		return nil, err
	}
	rss1, err := s.sendThenRSS(ctx, srv, "mem-rest", base, total-base)
	if err != nil {
		return nil, err
	}
	f := fig.NewFigure("f", fmt.Sprintf("server RSS growth %d->%d frames (mean)", base, total), "MB",
		float64(rss1-rss0)/1024, &fig.Target{Op: "<=", Bound: 5},
		fig.Value{Name: fmt.Sprintf("RSS at %d", base), Value: float64(rss0) / 1024, Unit: "MB"},
		fig.Value{Name: fmt.Sprintf("RSS at %d", total), Value: float64(rss1) / 1024, Unit: "MB"})
	b.P.Figure(f)
	return []fig.Figure{f}, nil
}

// startMeanServer builds framewire-server and starts it with the mean
// model, writing under the temp folder.
func (b *Bench) startMeanServer(ctx context.Context) (*serverproc.Proc, error) {
	return b.StartServer(ctx, "mem", "--model", "mean")
}

// frameSender streams runs of the frames, cycled, to a server.
type frameSender struct {
	c      *stream.Client
	Frames []*pb.Frame
	window int
}

// send streams n frames from the first'th on as stream name and checks
// that all were processed.
func (s frameSender) send(ctx context.Context, name string, first, n int64) error {
	sum, err := s.c.Run(ctx, rig.NewSliceSource(s.Frames, first, n), stream.ClientConfig{
		Header: &pb.StreamHeader{Name: name, FrameCount: n, Window: int32(s.window)},
	})
	if err != nil {
		return fmt.Errorf("stream %s: %w", name, err)
	}
	if sum.Processed != n {
		return fmt.Errorf("stream %s: %d of %d frames processed", name, sum.Processed, n)
	}
	return nil
}

// sendThenRSS sends, then reads the server's RSS in KB.
func (s frameSender) sendThenRSS(ctx context.Context, srv *serverproc.Proc, name string, first, n int64) (int64, error) {
	if err := s.send(ctx, name, first, n); err != nil {
		return 0, err
	}
	return serverproc.RSSKB(srv.Cmd.Process.Pid)
}

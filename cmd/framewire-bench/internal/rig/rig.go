// Package rig is what framewire-bench's figures share: the options, the
// frames and temp folder, a pipeline served on loopback and the ways to run
// it, the forward-only detectors, and the Python and Go processes.
package rig

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/cmd/framewire-bench/internal/fig"
	"github.com/framewire/framewire/internal/serverproc"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/service"
	"github.com/framewire/framewire/server/serving"
	"github.com/framewire/framewire/stream"
)

// Skip prints and returns the one figure saying why id is skipped.
func (b *Bench) Skip(id, title, why string) []fig.Figure {
	f := fig.Skipped(id, title, why)
	b.P.Figure(f)
	return []fig.Figure{f}
}

// MaxMsg is framewire-server's default message limit (--max-msg-mb 16).
const MaxMsg = 16 << 20

// Bench holds what the figures share: options, the frames, the temp folder.
type Bench struct {
	O   *Options
	Tmp string
	P   fig.Printer

	frames []*pb.Frame // the first O.Frames frames of O.Video, JPEG; loaded once
	runs   int         // streams run so far, for unique names
}

// LoadFrames reads and JPEG-encodes (quality 90, as framewire-capture) the
// first n frames of the video, once, and returns up to n of them.
func (b *Bench) LoadFrames(ctx context.Context, n int) ([]*pb.Frame, error) {
	if len(b.frames) < n {
		src, err := capture.Open(b.O.Video, capture.Options{})
		if err != nil {
			return nil, err
		}
		defer src.Close()
		b.frames = b.frames[:0]
		for len(b.frames) < n {
			f, err := src.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, err
			}
			b.frames = append(b.frames, f)
		}
		if len(b.frames) == 0 {
			return nil, fmt.Errorf("%s has no frames", b.O.Video)
		}
	}
	return b.frames[:min(n, len(b.frames))], nil
}

// CloseFrames drops the frames.
func (b *Bench) CloseFrames() { b.frames = nil }

// outDir is where every pipeline of the run writes.
func (b *Bench) outDir() string { return filepath.Join(b.Tmp, "out") }

// StreamName returns a new stream name; each run writes its own folder.
func (b *Bench) StreamName(prefix string) string {
	b.runs++
	return fmt.Sprintf("%s-%d", prefix, b.runs)
}

// DropOutput removes a run's output folder, so the disk does not fill up.
func (b *Bench) DropOutput(name string) {
	os.RemoveAll(filepath.Join(b.outDir(), name))
}

// ModelSpec is a model a figure runs, or why it cannot.
type ModelSpec struct {
	Name string // e.g. "nanodet-320", "mean"
	Cfg  detect.Config
}

func MeanModel() ModelSpec { return ModelSpec{Name: "mean", Cfg: detect.Config{Kind: detect.KindMean}} }

// Nanodet returns the model in file, or an error saying why it is skipped.
func Nanodet(name, file string) (ModelSpec, error) {
	if file == "" {
		return ModelSpec{}, fmt.Errorf("%s: no model file given", name)
	}
	if _, err := os.Stat(file); err != nil {
		return ModelSpec{}, fmt.Errorf("%s: model file not found (%v); pass its path with --model-320/--model-416", name, err)
	}
	return ModelSpec{Name: name, Cfg: detect.Config{Kind: detect.KindNanodet, ModelFile: file}}, nil
}

// Rig is one pipeline, usable in-process and served by a real gRPC server
// on a loopback TCP port with a client connected to it.
type Rig struct {
	Svc    *service.Service // called in-process
	stop   context.CancelFunc
	served chan error
	conn   *grpc.ClientConn
	RPC    pb.ImageProcedureClient
}

// NewRig builds a server as framewire-server does (server.New), loading
// the model on workers workers, and serves it on loopback.
func (b *Bench) NewRig(m ModelSpec, workers, window int) (*Rig, error) {
	srv, err := server.New(server.Config{OutDir: b.outDir(), Model: m.Cfg, Workers: workers,
		Stream: serving.Config{MaxWindow: window}, MaxMsgBytes: MaxMsg})
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	r := &Rig{Svc: srv.Service(), stop: stop, served: make(chan error, 1)}
	go func() { r.served <- srv.Serve(ctx, lis) }()
	r.conn, err = grpc.NewClient(lis.Addr().String(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMsg), grpc.MaxCallSendMsgSize(MaxMsg)))
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("connect to the loopback server: %w", err)
	}
	r.RPC = pb.NewImageProcedureClient(r.conn)
	return r, nil
}

// Close stops the server and waits until it has freed its models.
func (r *Rig) Close() error {
	if r.conn != nil {
		r.conn.Close()
	}
	r.stop()
	return <-r.served
}

// stamped returns a copy of f sharing its pixels, captured now with seq.
func stamped(f *pb.Frame, seq int64) *pb.Frame {
	return &pb.Frame{
		Seq: seq, CaptureUnixNano: time.Now().UnixNano(), Encoding: f.GetEncoding(),
		Data: f.GetData(), Width: f.GetWidth(), Height: f.GetHeight(),
	}
}

// SliceSource yields n frames cycling through frames, seq from first on,
// each stamped when it is read.
type SliceSource struct {
	frames []*pb.Frame
	next   int64
	end    int64
}

func NewSliceSource(frames []*pb.Frame, first, n int64) *SliceSource {
	return &SliceSource{frames: frames, next: first, end: first + n}
}

func (s *SliceSource) Next(ctx context.Context) (*pb.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.next >= s.end {
		return nil, io.EOF
	}
	f := stamped(s.frames[s.next%int64(len(s.frames))], s.next)
	s.next++
	return f, nil
}

// RunGRPC streams frames through the real client over the rig's loopback
// connection and returns frames per second.
func (b *Bench) RunGRPC(ctx context.Context, r *Rig, frames []*pb.Frame) (float64, error) {
	name := b.StreamName("grpc")
	defer b.DropOutput(name)
	n := int64(len(frames))
	c := stream.NewClient(r.RPC)
	start := time.Now()
	sum, err := c.Run(ctx, NewSliceSource(frames, 0, n), stream.ClientConfig{
		Header: &pb.StreamHeader{Name: name, FrameCount: n, Window: int32(b.O.Window)},
	})
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("stream: %w", err)
	}
	if sum.Processed != n {
		return 0, fmt.Errorf("stream: %d of %d frames processed (%d failed)", sum.Processed, n, sum.Failed)
	}
	return float64(n) / d.Seconds(), nil
}

// RunUnary sends every frame in its own DetectFrame call from callers
// concurrent callers and returns frames per second.
func (b *Bench) RunUnary(ctx context.Context, r *Rig, frames []*pb.Frame, callers int) (float64, error) {
	name := b.StreamName("unary")
	defer b.DropOutput(name)
	var next atomic.Int64
	errs := make([]error, callers)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[c] = r.callUntilDone(ctx, name, frames, &next)
		}()
	}
	wg.Wait()
	d := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	return float64(len(frames)) / d.Seconds(), nil
}

// callUntilDone sends the frames next hands out, one DetectFrame call
// each, until there are none left or a call fails.
func (r *Rig) callUntilDone(ctx context.Context, name string, frames []*pb.Frame, next *atomic.Int64) error {
	for {
		i := next.Add(1) - 1
		if i >= int64(len(frames)) {
			return nil
		}
		res, err := r.RPC.DetectFrame(ctx, &pb.DetectFrameRequest{Name: name, Frame: stamped(frames[i], i)})
		if err == nil && res.GetError() != "" {
			err = errors.New(res.GetError())
		}
		if err != nil {
			return fmt.Errorf("DetectFrame %d: %w", i, err)
		}
	}
}

// cpuTime is the CPU time this process has used so far, all threads
// (Go's and OpenCV's), user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// WithCPU wraps a run of n frames so that it also appends the CPU time the
// process spent per frame, in ms, to into. Unlike fps, CPU per frame
// hardly moves when other processes share the cores, so the difference
// of two variants is their cost difference.
func WithCPU(into *[]float64, n int, run func() (float64, error)) func() (float64, error) {
	return func() (float64, error) {
		c := cpuTime()
		fps, err := run()
		*into = append(*into, fig.MS(cpuTime()-c)/float64(n))
		return fps, err
	}
}

// StartServer builds framewire-server into the temp folder's sub folder
// and starts it there on the bench's workers, writing to sub/out, with
// args after those.
func (b *Bench) StartServer(ctx context.Context, sub string, args ...string) (*serverproc.Proc, error) {
	dir := filepath.Join(b.Tmp, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make %s: %w", dir, err)
	}
	bin, err := serverproc.Build(ctx, dir)
	if err != nil {
		return nil, err
	}
	base := []string{"--out", filepath.Join(dir, "out"), "--workers", strconv.Itoa(b.O.Workers)}
	return serverproc.Start(ctx, bin, append(base, args...)...)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/framewire/framewire/capture"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/service"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/serving"
)

// maxMsg is framewire-server's default message limit (--max-msg-mb 16).
const maxMsg = 16 << 20

// bench holds what the figures share: options, the frames, the temp folder.
type bench struct {
	o   *options
	tmp string
	log io.Writer
	p   printer

	frames []*pb.Frame // the first o.Frames frames of o.Video, JPEG; loaded once
	runs   int         // streams run so far, for unique names
}

// loadFrames reads and JPEG-encodes (quality 90, as framewire-capture) the
// first n frames of the video, once, and returns up to n of them.
func (b *bench) loadFrames(ctx context.Context, n int) ([]*pb.Frame, error) {
	if len(b.frames) < n {
		src, err := capture.Open(b.o.Video, capture.Options{})
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
			return nil, fmt.Errorf("%s has no frames", b.o.Video)
		}
	}
	return b.frames[:min(n, len(b.frames))], nil
}

// closeFrames drops the frames.
func (b *bench) closeFrames() { b.frames = nil }

// outDir is where every pipeline of the run writes.
func (b *bench) outDir() string { return filepath.Join(b.tmp, "out") }

// streamName returns a new stream name; each run writes its own folder.
func (b *bench) streamName(prefix string) string {
	b.runs++
	return fmt.Sprintf("%s-%d", prefix, b.runs)
}

// dropOutput removes a run's output folder, so the disk does not fill up.
func (b *bench) dropOutput(name string) {
	os.RemoveAll(filepath.Join(b.outDir(), name))
}

// modelSpec is a model a figure runs, or why it cannot.
type modelSpec struct {
	name string // e.g. "nanodet-320", "mean"
	cfg  detect.Config
}

func meanModel() modelSpec { return modelSpec{name: "mean", cfg: detect.Config{Kind: detect.KindMean}} }

// nanodet returns the model in file, or an error saying why it is skipped.
func nanodet(name, file string) (modelSpec, error) {
	if file == "" {
		return modelSpec{}, fmt.Errorf("%s: no model file given", name)
	}
	if _, err := os.Stat(file); err != nil {
		return modelSpec{}, fmt.Errorf("%s: model file not found (%v); pass its path with --model-320/--model-416", name, err)
	}
	return modelSpec{name: name, cfg: detect.Config{Kind: detect.KindNanodet, ModelFile: file}}, nil
}

// rig is one pipeline, usable in-process and served by a real gRPC server
// on a loopback TCP port with a client connected to it.
type rig struct {
	svc     *service.Service // called in-process
	handler serving.Handler  // the service's stream handler, in-process
	stop    context.CancelFunc
	served  chan error
	conn    *grpc.ClientConn
	rpc     pb.ImageProcedureClient
}

// newRig builds a server as framewire-server does (server.New), loading
// the model on workers workers, and serves it on loopback.
func (b *bench) newRig(m modelSpec, workers, window int) (*rig, error) {
	srv, err := server.New(server.Config{OutDir: b.outDir(), Model: m.cfg, Workers: workers,
		Stream: serving.Config{MaxWindow: window}, MaxMsgBytes: maxMsg})
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	r := &rig{svc: srv.Service(), handler: srv.Service().Handler(), stop: stop, served: make(chan error, 1)}
	go func() { r.served <- srv.Serve(ctx, lis) }()
	r.conn, err = grpc.NewClient(lis.Addr().String(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMsg), grpc.MaxCallSendMsgSize(maxMsg)))
	if err != nil {
		r.close()
		return nil, fmt.Errorf("connect to the loopback server: %w", err)
	}
	r.rpc = pb.NewImageProcedureClient(r.conn)
	return r, nil
}

// close stops the server and waits until it has freed its models.
func (r *rig) close() error {
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

// sliceSource yields n frames cycling through frames, seq from first on,
// each stamped when it is read.
type sliceSource struct {
	frames []*pb.Frame
	next   int64
	end    int64
}

func newSliceSource(frames []*pb.Frame, first, n int64) *sliceSource {
	return &sliceSource{frames: frames, next: first, end: first + n}
}

func (s *sliceSource) Next(ctx context.Context) (*pb.Frame, error) {
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

// runGRPC streams frames through the real client over the rig's loopback
// connection and returns frames per second.
func (b *bench) runGRPC(ctx context.Context, r *rig, frames []*pb.Frame) (float64, error) {
	name := b.streamName("grpc")
	defer b.dropOutput(name)
	n := int64(len(frames))
	c := stream.NewClient(r.rpc)
	start := time.Now()
	sum, err := c.Run(ctx, newSliceSource(frames, 0, n), stream.ClientConfig{
		Header: &pb.StreamHeader{Name: name, FrameCount: n, Window: int32(b.o.Window)},
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

// runInProcess pushes frames through the pipeline as serving.Serve does for
// a client with the same window: Open, up to window Process calls at once,
// Commit in order, Close. It returns frames per second.
func (b *bench) runInProcess(ctx context.Context, r *rig, frames []*pb.Frame) (float64, error) {
	name := b.streamName("inproc")
	defer b.dropOutput(name)
	n := int64(len(frames))
	start := time.Now()
	sess, err := r.handler.Open(ctx, &pb.StreamHeader{Name: name, FrameCount: n, Window: int32(b.o.Window)})
	if err != nil {
		return 0, fmt.Errorf("open: %w", err)
	}
	sess.Ready()
	credits := make(chan struct{}, b.o.Window)
	order := make(chan chan *pb.FrameResult, b.o.Window)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // receiver: starts one Process per frame while the window allows
		defer wg.Done()
		defer close(order)
		for i, f := range frames {
			credits <- struct{}{}
			done := make(chan *pb.FrameResult, 1)
			g := stamped(f, int64(i))
			wg.Add(1)
			go func() {
				defer wg.Done()
				done <- sess.Process(ctx, g)
			}()
			order <- done
		}
	}()
	var firstErr error
	for done := range order { // sender: commits in order, frees the window
		res := <-done
		if err := sess.Commit(res); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("commit %d: %w", res.GetSeq(), err)
		}
		if res.GetError() != "" && firstErr == nil {
			firstErr = fmt.Errorf("frame %d: %s", res.GetSeq(), res.GetError())
		}
		<-credits
	}
	wg.Wait()
	if err := sess.Close(); err != nil && firstErr == nil {
		firstErr = fmt.Errorf("close: %w", err)
	}
	d := time.Since(start)
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(n) / d.Seconds(), nil
}

// runUnary sends every frame in its own DetectFrame call from callers
// concurrent callers and returns frames per second.
func (b *bench) runUnary(ctx context.Context, r *rig, frames []*pb.Frame, callers int) (float64, error) {
	name := b.streamName("unary")
	defer b.dropOutput(name)
	var next atomic.Int64
	errs := make([]error, callers)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(frames)) {
					return
				}
				res, err := r.rpc.DetectFrame(ctx, &pb.DetectFrameRequest{Name: name, Frame: stamped(frames[i], i)})
				if err == nil && res.GetError() != "" {
					err = errors.New(res.GetError())
				}
				if err != nil {
					errs[c] = fmt.Errorf("DetectFrame %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	return float64(len(frames)) / d.Seconds(), nil
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

// withCPU wraps a run of n frames so that it also appends the CPU time the
// process spent per frame, in ms, to into. Unlike fps, CPU per frame
// hardly moves when other processes share the cores, so the difference
// of two variants is their cost difference.
func withCPU(into *[]float64, n int, run func() (float64, error)) func() (float64, error) {
	return func() (float64, error) {
		c := cpuTime()
		fps, err := run()
		*into = append(*into, ms(cpuTime()-c)/float64(n))
		return fps, err
	}
}

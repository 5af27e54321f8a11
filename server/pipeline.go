package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/stream"
)

// Config sets up a Pipeline.
type Config struct {
	// OutDir receives one folder per stream.
	OutDir string
	// Model selects the detector; every worker loads its own.
	Model detect.Config
	// Workers is the number of frames processed at once (0 = one per CPU).
	Workers int
	// MaxPixels refuses larger frames before decoding (0 = DefaultMaxPixels).
	MaxPixels int64
	// JPEGQuality of the annotated images (0 = 90).
	JPEGQuality int
	// Monitor, when set, is told about every stream and frame (metrics,
	// live view, stream log).
	Monitor *Monitor
}

// Pipeline turns frames into detections and annotated JPEGs under OutDir.
// It implements stream.Handler and is safe for concurrent use by many
// streams; they share its workers. Close it after the last stream ended.
type Pipeline struct {
	cfg     Config
	pool    *workerPool
	classes []string // the model's labels; nil for mean

	mu     sync.Mutex
	active map[string]bool // stream names with an open session
}

// NewPipeline loads the model once per worker and checks that OutDir can
// be written. Errors here are start-up errors: the model file or folder is
// wrong.
func NewPipeline(cfg Config) (*Pipeline, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.MaxPixels <= 0 {
		cfg.MaxPixels = DefaultMaxPixels
	}
	if cfg.JPEGQuality <= 0 || cfg.JPEGQuality > 100 {
		cfg.JPEGQuality = 90
	}
	if cfg.OutDir == "" {
		return nil, fmt.Errorf("no output folder given")
	}
	if err := checkDirWritable(cfg.OutDir); err != nil {
		return nil, err
	}
	pool, err := newWorkerPool(cfg.Workers, cfg.Model)
	if err != nil {
		return nil, err
	}
	return &Pipeline{cfg: cfg, pool: pool, classes: detect.Classes(pool.workers[0].det), active: map[string]bool{}}, nil
}

// Open starts a stream: it checks the name and options, reserves the name
// (one live stream per output folder) and opens the folder.
func (p *Pipeline) Open(ctx context.Context, hdr *pb.StreamHeader) (stream.Session, error) {
	name := hdr.GetName()
	if err := checkStreamName(name); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if u := hdr.ProtoReflect().GetUnknown(); len(u) > 0 {
		return nil, status.Errorf(codes.InvalidArgument, "stream header carries %d bytes of fields this server does not know", len(u))
	}
	opts, err := newFrameOptions(hdr.GetOptions(), p.classes)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	p.mu.Lock()
	if p.active[name] {
		p.mu.Unlock()
		return nil, status.Errorf(codes.AlreadyExists, "stream %q is already running", name)
	}
	p.active[name] = true
	p.mu.Unlock()

	dir, err := openStreamDir(p.cfg.OutDir, name)
	if err != nil {
		p.release(name)
		return nil, status.Errorf(codes.Internal, "open output of stream %q: %v", name, err)
	}
	return &session{p: p, name: name, dir: dir, opts: opts, watch: p.cfg.Monitor.watch(ctx, hdr, p.cfg.Model.Kind)}, nil
}

// DetectFrame processes one frame outside any stream: its JPEG is written
// to <out>/<name>/ but no predictions line is added. A bad frame is
// InvalidArgument.
func (p *Pipeline) DetectFrame(ctx context.Context, req *pb.DetectFrameRequest) (*pb.FrameResult, error) {
	name := req.GetName()
	if err := checkStreamName(name); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	opts, err := newFrameOptions(req.GetOptions(), p.classes)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	dir := &streamDir{path: filepath.Join(p.cfg.OutDir, name)}
	if err := os.MkdirAll(dir.path, 0o755); err != nil {
		return nil, status.Errorf(codes.Internal, "create output folder of %q: %v", name, err)
	}
	s := &session{p: p, name: name, dir: dir, opts: opts}
	r, err := s.process(ctx, req.GetFrame())
	switch {
	case errors.Is(err, errBadFrame):
		return nil, status.Error(codes.InvalidArgument, err.Error())
	case err != nil:
		return nil, status.Error(codes.Internal, err.Error())
	}
	return r, nil
}

func (p *Pipeline) release(name string) {
	p.mu.Lock()
	delete(p.active, name)
	p.mu.Unlock()
}

// ModelKind names the detector in use.
func (p *Pipeline) ModelKind() string { return p.cfg.Model.Kind }

// Close frees the workers and their models. Call it once no stream runs.
func (p *Pipeline) Close() error {
	return p.pool.Close()
}

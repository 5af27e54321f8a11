package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/monitor"
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
	// MinConf is the lowest score threshold a stream may ask for: the
	// detector keeps detections down to it and each stream filters at its
	// own (0 = streams can only raise the model's threshold).
	MinConf float32
	// LiveKeepFrames bounds the disk a live stream uses: it keeps the
	// JPEGs of its last LiveKeepFrames written frames and removes older
	// ones (0 = keep all). Its predictions.jsonl keeps every line.
	LiveKeepFrames int
	// Monitor, when set, is told about every stream and frame (metrics,
	// live view, stream log).
	Monitor *monitor.Monitor
}

// Pipeline turns frames into detections and annotated JPEGs under OutDir.
// It implements stream.Handler and is safe for concurrent use by many
// streams; they share its workers. Close it after the last stream ended.
type Pipeline struct {
	cfg     Config
	pool    *workerPool
	classes []string // the model's labels; nil for mean

	model  modelInfo
	conf   confRange
	owners *owners
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
	model, err := describeModel(cfg.Model)
	if err != nil {
		return nil, err
	}
	conf := newConfRange(cfg)
	detCfg := cfg.Model
	detCfg.Conf = conf.floor
	pool, err := newWorkerPool(cfg.Workers, detCfg)
	if err != nil {
		return nil, err
	}
	classes := detect.Classes(pool.workers[0].det)
	model.Classes = classes
	return &Pipeline{cfg: cfg, pool: pool, classes: classes, model: model, conf: conf, owners: newOwners(cfg.OutDir)}, nil
}

// newConfRange is the default threshold (--conf, else the model's) and the
// floor streams may lower it to (--min-conf, at most the default).
func newConfRange(cfg Config) confRange {
	c := confRange{def: cfg.Model.Conf}
	if c.def == 0 {
		c.def = detect.DefaultConf(cfg.Model.Kind)
	}
	c.floor = c.def
	if cfg.MinConf > 0 && cfg.MinConf < c.def {
		c.floor = cfg.MinConf
	}
	return c
}

// describeModel names the model and its file with the file's SHA-256, so
// that a run can tell whether it continues with the same model.
func describeModel(cfg detect.Config) (modelInfo, error) {
	m := modelInfo{Kind: cfg.Kind, File: cfg.ModelFile, Engine: cfg.Engine}
	if m.Kind != detect.KindMean && m.Engine == "" {
		m.Engine = detect.EngineDefault
	}
	if m.File == "" {
		m.File = detect.DefaultModelFile(cfg.Kind)
	}
	if m.File == "" {
		return m, nil
	}
	f, err := os.Open(m.File)
	if err != nil {
		return m, fmt.Errorf("read model file: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return m, fmt.Errorf("read model file %s: %w", m.File, err)
	}
	m.SHA256 = hex.EncodeToString(h.Sum(nil))
	return m, nil
}

// Open starts a stream: it checks the name and options, takes the name
// (one call per output folder) and opens the folder of the run the header
// asks for (see claim).
func (p *Pipeline) Open(ctx context.Context, hdr *pb.StreamHeader) (stream.Session, error) {
	opts, err := p.checkHeader(hdr)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	c, err := p.claim(ctx, hdr, newRunManifest(hdr, p.model))
	if err != nil {
		return nil, err
	}
	shown := proto.Clone(hdr).(*pb.StreamHeader)
	shown.Name, shown.Source = c.name, stream.RedactSource(hdr.GetSource())
	sess := &session{
		p: p, name: c.name, dir: c.dir, opts: opts, owner: c.owner, resumed: c.resumed, tracked: newTrackStageFor(opts, c.dir),
		watch: p.cfg.Monitor.Watch(ctx, shown, p.cfg.Model.Kind),
	}
	if hdr.GetLive() && p.cfg.LiveKeepFrames > 0 {
		sess.prune = newImagePruner(c.dir, p.cfg.LiveKeepFrames)
	}
	return sess, nil
}

// checkHeader checks what a header asks for and returns its options.
func (p *Pipeline) checkHeader(hdr *pb.StreamHeader) (frameOptions, error) {
	if err := checkStreamName(hdr.GetName()); err != nil {
		return frameOptions{}, err
	}
	if u := hdr.ProtoReflect().GetUnknown(); len(u) > 0 {
		return frameOptions{}, fmt.Errorf("stream header carries %d bytes of fields this server does not know", len(u))
	}
	if _, ok := pb.ExistPolicy_name[int32(hdr.GetExist())]; !ok {
		return frameOptions{}, fmt.Errorf("unknown exist policy %d", hdr.GetExist())
	}
	return newFrameOptions(hdr.GetOptions(), p.classes, p.conf)
}

// DetectFrame processes one frame outside any stream: its JPEG is written
// to <out>/_unary/<name>/, never into a stream's folder, and no
// predictions line is added. A bad frame is InvalidArgument.
func (p *Pipeline) DetectFrame(ctx context.Context, req *pb.DetectFrameRequest) (*pb.FrameResult, error) {
	name := req.GetName()
	if err := checkStreamName(name); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	opts, err := newFrameOptions(req.GetOptions(), p.classes, p.conf)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	dir := &streamDir{path: filepath.Join(p.cfg.OutDir, unaryFolder, name)}
	if err := os.MkdirAll(dir.path, dirMode); err != nil {
		return nil, status.Errorf(codes.Internal, "create output folder of %q: %v", name, err)
	}
	s := &session{p: p, name: path.Join(unaryFolder, name), dir: dir, opts: opts}
	r, err := s.process(ctx, req.GetFrame())
	switch {
	case errors.Is(err, errBadFrame):
		return nil, status.Error(codes.InvalidArgument, err.Error())
	case err != nil:
		return nil, status.Error(codes.Internal, err.Error())
	}
	return r, nil
}

// ModelKind names the detector in use.
func (p *Pipeline) ModelKind() string { return p.cfg.Model.Kind }

// Close frees the workers and their models. Call it once no stream runs.
func (p *Pipeline) Close() error {
	return p.pool.Close()
}

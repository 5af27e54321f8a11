// Package service is the ImageProcedure gRPC service: the tutorial's
// ImageMeanWH, the StreamFrames call and the unary DetectFrame. It runs
// each stream's frames through a core.Processor, records them in a
// core.Store and tells a monitor; it maps errors to gRPC status codes, at
// its edge only. It touches no pixels, so its tests run without OpenCV.
package service

import (
	"context"
	"log/slog"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/admission"
	"github.com/framewire/framewire/server/core"
	"github.com/framewire/framewire/server/monitor"
	"github.com/framewire/framewire/server/service/eventstage"
	"github.com/framewire/framewire/server/service/meanwh"
	"github.com/framewire/framewire/server/serving"
)

// Config sets up a Service.
type Config struct {
	Processor core.Processor
	Store     core.Store
	// Model describes the model, for run manifests.
	Model record.Model
	// DefaultConf is the score threshold of streams that ask for none;
	// MinConf the lowest a stream may ask for.
	DefaultConf, MinConf float32
	// JPEGQuality of the annotated images (0 = 90).
	JPEGQuality int
	// Monitor, when set, is told about every stream and frame.
	Monitor *monitor.Monitor
	// Stream bounds each stream; its Drain is set by the Service.
	Stream serving.Config
	// MaxStreams is the most streams served at once (0 = no limit). A
	// stream over it waits for a slot, first come first served, in a
	// queue of at most MaxQueued streams; one more gets ResourceExhausted
	// with a hint when to try again.
	MaxStreams, MaxQueued int
	// MaxMessageBytes is the largest message the gRPC server accepts,
	// told to clients in StreamReady (0 = not told).
	MaxMessageBytes int
	// Log hears what the service works around (nil: nothing is said).
	Log *slog.Logger
	// ZonesDir holds default counting rules per stream name (see
	// withDefaultZones); "" for none.
	ZonesDir string
	// Events hear what counting writes: new events (for their delivery)
	// and zones' occupancy. Zero: nothing is told.
	Events eventstage.Hooks
	// CountCheckpointEvery is the recorded frames between a counted
	// stream's checkpoints (0 = eventstage.DefaultCheckpointEvery).
	CountCheckpointEvery int64
	// Video is whether a stream whose header does not say gets a video;
	// CanVideo whether the store can write one at all.
	Video, CanVideo bool
}

// Service implements the ImageProcedure gRPC service. Safe for concurrent
// use.
type Service struct {
	pb.UnimplementedImageProcedureServer
	cfg   Config
	admit *admission.Queue // the MaxStreams slots; nil = no limit
	drain chan struct{}
	once  sync.Once
}

// New serves streams as cfg says.
func New(cfg Config) *Service {
	if cfg.JPEGQuality <= 0 || cfg.JPEGQuality > 100 {
		cfg.JPEGQuality = 90
	}
	cfg.MinConf = ConfFloor(cfg.DefaultConf, cfg.MinConf)
	s := &Service{cfg: cfg, drain: make(chan struct{})}
	if cfg.MaxStreams > 0 {
		s.admit = admission.New(cfg.MaxStreams, cfg.MaxQueued)
	}
	s.cfg.Stream.Drain = s.drain
	return s
}

// Drain refuses new streams from now on and makes the running ones stop
// taking frames, finish those they took and end with Unavailable, so that
// their clients reconnect and resume. Safe to call more than once.
func (s *Service) Drain() {
	s.once.Do(func() { close(s.drain) })
}

// ImageMeanWH answers the tutorial's call: channel count and pixel mean of
// a base64 raw image. A size that does not match is InvalidArgument.
func (s *Service) ImageMeanWH(ctx context.Context, in *pb.B64Image) (*pb.Prediction, error) {
	c, m, err := meanwh.Compute(in.GetB64Image(), in.GetWidth(), in.GetHeight())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &pb.Prediction{Channel: c, Mean: m}, nil
}

// StreamFrames serves one long-lived stream of frames. A stream takes one
// of the MaxStreams slots once its header has arrived (a call that sends
// none holds nothing, and ends at the header timeout), or waits in the
// queue for one: the header timeout does not apply there.
func (s *Service) StreamFrames(call pb.ImageProcedure_StreamFramesServer) error {
	select {
	case <-s.drain:
		return status.Error(codes.Unavailable, "server is shutting down")
	default:
	}
	return serving.Serve(call, (*limitedHandler)(s), s.cfg.Stream)
}

// confRange is the thresholds streams may ask for.
func (s *Service) confRange() confRange {
	return confRange{def: s.cfg.DefaultConf, floor: s.cfg.MinConf}
}

// ConfFloor is the lowest score threshold a stream may ask for: minConf,
// but never above the default threshold def; 0 or less means streams can
// only raise def.
func ConfFloor(def, minConf float32) float32 {
	if minConf <= 0 {
		return def
	}
	return min(minConf, def)
}

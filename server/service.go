package server

import (
	"context"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
)

// ServiceConfig bounds the service.
type ServiceConfig struct {
	// Stream bounds each stream; its Drain is set by the Service.
	Stream stream.ServerConfig
	// MaxStreams is the most streams served at once; one more gets
	// ResourceExhausted (0 = no limit).
	MaxStreams int
}

// Service implements the ImageProcedure gRPC service: the tutorial's
// ImageMeanWH, the StreamFrames call and the unary DetectFrame. It maps
// errors to gRPC status codes; it is safe for concurrent use.
type Service struct {
	pb.UnimplementedImageProcedureServer
	pipeline *Pipeline
	cfg      ServiceConfig
	slots    chan struct{} // one per running stream; nil = no limit
	drain    chan struct{}
	once     sync.Once
}

// NewService serves streams through pipeline within cfg's bounds.
func NewService(pipeline *Pipeline, cfg ServiceConfig) *Service {
	s := &Service{pipeline: pipeline, cfg: cfg, drain: make(chan struct{})}
	if cfg.MaxStreams > 0 {
		s.slots = make(chan struct{}, cfg.MaxStreams)
	}
	s.cfg.Stream.Drain = s.drain
	return s
}

// Drain refuses new streams from now on and makes the running ones finish
// the frames they have received, send those results and end with
// Unavailable, so that their clients reconnect and resume. Safe to call
// more than once.
func (s *Service) Drain() {
	s.once.Do(func() { close(s.drain) })
}

// ImageMeanWH answers the tutorial's call: channel count and pixel mean of
// a base64 raw image. A size that does not match is InvalidArgument.
func (s *Service) ImageMeanWH(ctx context.Context, in *pb.B64Image) (*pb.Prediction, error) {
	c, m, err := meanWH(in.GetB64Image(), in.GetWidth(), in.GetHeight())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &pb.Prediction{Channel: c, Mean: m}, nil
}

// StreamFrames serves one long-lived stream of frames. A stream takes one
// of the MaxStreams slots once its header has arrived (a call that sends
// none holds nothing, and ends at the header timeout).
func (s *Service) StreamFrames(call pb.ImageProcedure_StreamFramesServer) error {
	select {
	case <-s.drain:
		return status.Error(codes.Unavailable, "server is shutting down")
	default:
	}
	return stream.Serve(call, (*limitedHandler)(s), s.cfg.Stream)
}

// limitedHandler opens streams through the pipeline within MaxStreams.
type limitedHandler Service

// Open takes a slot, then opens the stream; the session frees the slot.
func (l *limitedHandler) Open(ctx context.Context, hdr *pb.StreamHeader) (stream.Session, error) {
	if l.slots == nil {
		return l.pipeline.Open(ctx, hdr)
	}
	select {
	case l.slots <- struct{}{}:
	default:
		return nil, status.Errorf(codes.ResourceExhausted, "the server runs its limit of %d streams", l.cfg.MaxStreams)
	}
	sess, err := l.pipeline.Open(ctx, hdr)
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &slotSession{Session: sess, slots: l.slots}, nil
}

// slotSession frees its stream slot when it closes.
type slotSession struct {
	stream.Session
	slots <-chan struct{}
}

func (s *slotSession) Close() error {
	defer func() { <-s.slots }()
	return s.Session.Close()
}

// Summarize passes the summary on to the session, if it adds to it.
func (s *slotSession) Summarize(sum *pb.StreamSummary) {
	if sz, ok := s.Session.(stream.Summarizer); ok {
		sz.Summarize(sum)
	}
}

// DetectFrame processes one frame in a unary call.
func (s *Service) DetectFrame(ctx context.Context, req *pb.DetectFrameRequest) (*pb.FrameResult, error) {
	return s.pipeline.DetectFrame(ctx, req)
}

package server

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
)

// Service implements the ImageProcedure gRPC service: the tutorial's
// ImageMeanWH and the StreamFrames call. It maps errors to gRPC status
// codes; it is safe for concurrent use.
type Service struct {
	pb.UnimplementedImageProcedureServer
	pipeline *Pipeline
	stream   stream.ServerConfig
}

// NewService serves streams through pipeline with the given per-stream bounds.
func NewService(pipeline *Pipeline, cfg stream.ServerConfig) *Service {
	return &Service{pipeline: pipeline, stream: cfg}
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

// StreamFrames serves one long-lived stream of frames.
func (s *Service) StreamFrames(call pb.ImageProcedure_StreamFramesServer) error {
	return stream.Serve(call, s.pipeline, s.stream)
}

// DetectFrame processes one frame in a unary call.
func (s *Service) DetectFrame(ctx context.Context, req *pb.DetectFrameRequest) (*pb.FrameResult, error) {
	return s.pipeline.DetectFrame(ctx, req)
}

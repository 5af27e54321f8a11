package kserve

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	inferencepb "github.com/framewire/framewire/proto/inference"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/detect/engine"
)

// ServiceName is the protocol's gRPC service, for health and logs.
const ServiceName = "inference.GRPCInferenceService"

// modelVersion is the one version a framewire-server serves.
const modelVersion = "1"

// ServiceConfig says what a Service serves.
type ServiceConfig struct {
	// Name is the model's name on the wire: the --model kind.
	Name string
	// Network is the loaded model; its zero value serves no model (mean).
	Network detect.Network
	// Engine runs the forward passes; Engines is the most at once (0 = 1).
	Engine  engine.Options
	Engines int
	// Ready is false while the server drains; nil = always ready.
	Ready func(context.Context) bool
	// ServerVersion is ServerMetadata's version.
	ServerVersion string
}

// Service serves the Open Inference Protocol for one model: ModelInfer runs
// the forward pass on an engine of its pool and returns the raw outputs.
// It maps errors to gRPC status codes; safe for concurrent use. Close it
// after the gRPC server stopped.
type Service struct {
	inferencepb.UnimplementedGRPCInferenceServiceServer
	cfg  ServiceConfig
	pool *enginePool // nil without a model
	meta *inferencepb.ModelMetadataResponse
}

// errBadRequest marks requests the client got wrong (InvalidArgument).
var errBadRequest = errors.New("bad request")

// NewService makes one engine for cfg's model, runs it once on a zero
// input to learn the output shapes, and serves it; errors are start-up
// errors.
func NewService(cfg ServiceConfig) (*Service, error) {
	s := &Service{cfg: cfg}
	if cfg.Network.Model == nil {
		return s, nil
	}
	newEng := func() (engine.Engine, error) { return engine.New(cfg.Network.Model, cfg.Network.Dims, cfg.Engine) }
	first, err := newEng()
	if err != nil {
		return nil, fmt.Errorf("kserve: engine for the served model %q: %w", cfg.Name, err)
	}
	if err := s.learnOutputs(first); err != nil {
		return nil, err
	}
	s.pool = newEnginePool(max(1, cfg.Engines), first, newEng)
	return s, nil
}

// learnOutputs runs first once to describe the model's outputs; it closes
// first when that fails.
func (s *Service) learnOutputs(first engine.Engine) error {
	outs, err := first.Forward()
	if err != nil {
		return errors.Join(fmt.Errorf("kserve: served model %q: %w", s.cfg.Name, err), first.Close())
	}
	s.meta = s.describe(outputNames(first, len(outs)), outs)
	return nil
}

// outputNames are e's names of its n outputs, or output0, output1, ...
// for an engine that does not know them (OpenCV).
func outputNames(e engine.Engine, n int) []string {
	if named, ok := e.(engine.Named); ok && len(named.OutputNames()) == n {
		return named.OutputNames()
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("output%d", i)
	}
	return names
}

// describe is the model's metadata, with the output shapes of a forward.
func (s *Service) describe(names []string, outs []engine.Tensor) *inferencepb.ModelMetadataResponse {
	m := &inferencepb.ModelMetadataResponse{
		Name: s.cfg.Name, Versions: []string{modelVersion}, Platform: "onnxruntime_onnx",
		Inputs: []*inferencepb.ModelMetadataResponse_TensorMetadata{{Name: s.cfg.Network.Input, Datatype: fp32, Shape: toInt64(s.cfg.Network.Dims)}},
	}
	for i, t := range outs {
		m.Outputs = append(m.Outputs, &inferencepb.ModelMetadataResponse_TensorMetadata{Name: names[i], Datatype: fp32, Shape: toInt64(t.Dims)})
	}
	return m
}

// Close frees the engines.
func (s *Service) Close() error {
	if s.pool == nil {
		return nil
	}
	return s.pool.Close()
}

// ready reports whether the server takes requests.
func (s *Service) ready(ctx context.Context) bool { return s.cfg.Ready == nil || s.cfg.Ready(ctx) }

// ServerLive answers while the process runs.
func (s *Service) ServerLive(context.Context, *inferencepb.ServerLiveRequest) (*inferencepb.ServerLiveResponse, error) {
	return &inferencepb.ServerLiveResponse{Live: true}, nil
}

// ServerReady is false while the server drains.
func (s *Service) ServerReady(ctx context.Context, _ *inferencepb.ServerReadyRequest) (*inferencepb.ServerReadyResponse, error) {
	return &inferencepb.ServerReadyResponse{Ready: s.ready(ctx)}, nil
}

// ServerMetadata names the server.
func (s *Service) ServerMetadata(context.Context, *inferencepb.ServerMetadataRequest) (*inferencepb.ServerMetadataResponse, error) {
	return &inferencepb.ServerMetadataResponse{Name: "framewire", Version: s.cfg.ServerVersion}, nil
}

// ModelReady is the server's readiness for the served model; another
// model is NotFound.
func (s *Service) ModelReady(ctx context.Context, req *inferencepb.ModelReadyRequest) (*inferencepb.ModelReadyResponse, error) {
	if err := s.findModel(req.GetName(), req.GetVersion()); err != nil {
		return nil, err
	}
	return &inferencepb.ModelReadyResponse{Ready: s.ready(ctx)}, nil
}

// ModelMetadata describes the served model's input and outputs.
func (s *Service) ModelMetadata(_ context.Context, req *inferencepb.ModelMetadataRequest) (*inferencepb.ModelMetadataResponse, error) {
	if err := s.findModel(req.GetName(), req.GetVersion()); err != nil {
		return nil, err
	}
	return s.meta, nil
}

// findModel is NotFound unless name and version are the served model's.
func (s *Service) findModel(name, version string) error {
	if s.pool == nil || name != s.cfg.Name || (version != "" && version != modelVersion) {
		return status.Errorf(codes.NotFound, "no model %q version %q here (this server serves %s)", name, version, s.served())
	}
	return nil
}

// served names the served model for messages.
func (s *Service) served() string {
	if s.pool == nil {
		return "no model"
	}
	return fmt.Sprintf("%q version %s", s.cfg.Name, modelVersion)
}

// ModelInfer runs the forward pass on the request's FP32 input and returns
// the requested outputs (all by default) as raw little-endian bytes.
func (s *Service) ModelInfer(ctx context.Context, req *inferencepb.ModelInferRequest) (*inferencepb.ModelInferResponse, error) {
	if err := s.findModel(req.GetModelName(), req.GetModelVersion()); err != nil {
		return nil, err
	}
	if !s.ready(ctx) {
		return nil, status.Error(codes.Unavailable, "server is shutting down")
	}
	resp, err := s.infer(ctx, req)
	if err != nil {
		return nil, inferStatus(ctx, err)
	}
	return resp, nil
}

// inferStatus is the gRPC status of infer's error err.
func inferStatus(ctx context.Context, err error) error {
	switch {
	case errors.Is(err, errBadRequest):
		return status.Error(codes.InvalidArgument, err.Error())
	case ctx.Err() != nil:
		return status.FromContextError(ctx.Err()).Err()
	}
	return status.Error(codes.Internal, err.Error())
}

// infer checks req, runs it on a pooled engine and builds the response.
func (s *Service) infer(ctx context.Context, req *inferencepb.ModelInferRequest) (*inferencepb.ModelInferResponse, error) {
	want, err := s.requestedOutputs(req)
	if err != nil {
		return nil, err
	}
	e, err := s.pool.get(ctx)
	if err != nil {
		return nil, err
	}
	defer s.pool.put(e)
	if err := s.readInput(req, e.Input().Data); err != nil {
		return nil, err
	}
	outs, err := e.Forward()
	if err != nil {
		return nil, fmt.Errorf("forward pass of %q: %w", s.cfg.Name, err)
	}
	return s.response(req, want, outs), nil
}

// response answers req with the outputs want of outs, as raw bytes.
func (s *Service) response(req *inferencepb.ModelInferRequest, want []int, outs []engine.Tensor) *inferencepb.ModelInferResponse {
	resp := &inferencepb.ModelInferResponse{ModelName: s.cfg.Name, ModelVersion: modelVersion, Id: req.GetId()}
	for _, i := range want {
		t := outs[i]
		resp.Outputs = append(resp.Outputs, &inferencepb.ModelInferResponse_InferOutputTensor{
			Name: s.meta.Outputs[i].GetName(), Datatype: fp32, Shape: toInt64(t.Dims),
		})
		resp.RawOutputContents = append(resp.RawOutputContents, appendFP32(make([]byte, 0, 4*len(t.Data)), t.Data))
	}
	return resp
}

// readInput copies the request's one FP32 input, raw or typed, into dst
// after checking its name, type and shape.
func (s *Service) readInput(req *inferencepb.ModelInferRequest, dst []float32) error {
	ins, raw := req.GetInputs(), req.GetRawInputContents()
	if len(ins) != 1 || len(raw) > 1 {
		return fmt.Errorf("%w: %d inputs and %d raw_input_contents, want 1 input", errBadRequest, len(ins), len(raw))
	}
	in := ins[0]
	if err := checkInput(in, s.meta.Inputs[0]); err != nil {
		return err
	}
	var r []byte
	if len(raw) == 1 {
		r = raw[0]
	}
	if err := tensorValues(dst, r, in.GetContents()); err != nil {
		return fmt.Errorf("%w: input %q: %w", errBadRequest, in.GetName(), err)
	}
	return nil
}

// checkInput is a bad request error unless in has the name, type and shape
// of the model's input want.
func checkInput(in *inferencepb.ModelInferRequest_InferInputTensor, want *inferencepb.ModelMetadataResponse_TensorMetadata) error {
	switch {
	case in.GetName() != want.GetName():
		return fmt.Errorf("%w: input %q, want %q", errBadRequest, in.GetName(), want.GetName())
	case in.GetDatatype() != fp32:
		return fmt.Errorf("%w: input data type %q, want %s", errBadRequest, in.GetDatatype(), fp32)
	case !slices.Equal(in.GetShape(), want.GetShape()):
		return fmt.Errorf("%w: input shape %v, want %v", errBadRequest, in.GetShape(), want.GetShape())
	}
	return nil
}

// requestedOutputs are the positions of the outputs req asks for, all of
// them when it names none.
func (s *Service) requestedOutputs(req *inferencepb.ModelInferRequest) ([]int, error) {
	var idx []int
	for _, o := range req.GetOutputs() {
		i := slices.IndexFunc(s.meta.Outputs, func(t *inferencepb.ModelMetadataResponse_TensorMetadata) bool { return t.GetName() == o.GetName() })
		if i < 0 {
			return nil, fmt.Errorf("%w: model %q has no output %q", errBadRequest, s.cfg.Name, o.GetName())
		}
		idx = append(idx, i)
	}
	if idx == nil {
		return s.allOutputs(), nil
	}
	return idx, nil
}

// allOutputs are the positions of all the model's outputs.
func (s *Service) allOutputs() []int {
	var idx []int
	for i := range s.meta.Outputs {
		idx = append(idx, i)
	}
	return idx
}

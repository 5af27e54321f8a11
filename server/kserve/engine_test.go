package kserve

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	inferencepb "github.com/framewire/framewire/proto/inference"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/detect/engine"
)

// nanodetService serves NanoDet on ONNX Runtime.
func nanodetService(t *testing.T, ready func(context.Context) bool) *Service {
	t.Helper()
	n, err := detect.LoadNetwork(detect.Config{Kind: detect.KindNanodet, ModelFile: nanodetFile})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(ServiceConfig{Name: "nanodet", Network: n, Engine: engine.Options{Engine: engine.ONNXRuntime}, Engines: 2, Ready: ready})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

// The kserve engine against a framewire inference service returns what a
// local ONNX Runtime engine returns for the same input, output by output.
func TestRemoteEngineMatchesLocal(t *testing.T) {
	p := newInProcess(t)
	p.serve(nanodetService(t, nil))
	p.serve(nanodetService(t, nil))
	c := p.client(Config{Model: "nanodet"})
	n, err := detect.LoadNetwork(detect.Config{Kind: detect.KindNanodet, ModelFile: nanodetFile})
	if err != nil {
		t.Fatal(err)
	}
	local, err := engine.New(n.Model, n.Dims, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	remote, err := engine.New(nil, n.Dims, engine.Options{Engine: engine.KServe, Remote: c})
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	gotNames, wantNames := remote.(engine.Named).OutputNames(), local.(engine.Named).OutputNames()
	if !slices.Equal(gotNames, wantNames) {
		t.Errorf("served output names %q, want ONNX Runtime's %q", gotNames, wantNames)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 3 { // both servers, and reused buffers
		for i := range local.Input().Data {
			v := rng.Float32()*4 - 2
			local.Input().Data[i], remote.Input().Data[i] = v, v
		}
		want, err := local.Forward()
		if err != nil {
			t.Fatal(err)
		}
		got, err := remote.Forward()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("round %d: %d outputs, want %d", round, len(got), len(want))
		}
		for i := range want {
			if !slices.Equal(got[i].Dims, want[i].Dims) || !slices.Equal(got[i].Data, want[i].Data) {
				t.Errorf("round %d: output %d is %v (first %v), want %v (first %v)", round, i, got[i].Dims, got[i].Data[:3], want[i].Dims, want[i].Data[:3])
			}
		}
	}
}

// A detector on the kserve engine finds what the local one finds.
func TestDetectorOnKServe(t *testing.T) {
	const photo = "/usr/share/darknet/data/dog.jpg"
	img := readImage(t, photo)
	defer img.Close()
	p := newInProcess(t)
	p.serve(nanodetService(t, nil))
	c := p.client(Config{Model: "nanodet"})
	local, err := detect.New(detect.Config{Kind: detect.KindNanodet, ModelFile: nanodetFile})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	remote, err := detect.New(detect.Config{Kind: detect.KindNanodet, ModelFile: nanodetFile, Engine: detect.EngineKServe, Remote: c})
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	want, err := local.Detect(img)
	if err != nil {
		t.Fatal(err)
	}
	got, err := remote.Detect(img)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("kserve detections %v, want the local engine's %v", got, want)
	}
}

// A model whose input is not what the model code feeds fails at start-up
// with a message saying so.
func TestInputShapeMismatch(t *testing.T) {
	p := newInProcess(t)
	p.serve(nanodetService(t, nil))
	c := p.client(Config{Model: "nanodet"})
	_, err := c.NewEngine([]int{1, 3, 416, 416})
	if err == nil || !strings.Contains(err.Error(), "[1 3 320 320]") || !strings.Contains(err.Error(), "[1 3 416 416]") {
		t.Errorf("NewEngine(1x3x416x416) against NanoDet-320: %v, want an error naming both shapes", err)
	}
}

// Dial fails clearly when the model is not on the servers.
func TestDialUnknownModel(t *testing.T) {
	p := newInProcess(t)
	p.serve(nanodetService(t, nil))
	_, err := Dial(context.Background(), Config{Addrs: p.addrs, Dial: p.dial, Model: "yolo"})
	if err == nil || !strings.Contains(err.Error(), `no inference server is ready with model "yolo"`) || status.Code(errorsCause(err)) != codes.NotFound {
		t.Errorf("Dial for a model nobody serves: %v, want NotFound and a message naming it", err)
	}
}

// errorsCause finds the first gRPC status in err's tree.
func errorsCause(err error) error {
	for err != nil {
		if _, ok := status.FromError(err); ok {
			return err
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			return errorsCause(u.Unwrap()[0])
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return err
		}
	}
	return nil
}

// The service: typed fp32_contents work, bad requests are InvalidArgument,
// a draining server is not ready.
func TestServiceRequests(t *testing.T) {
	ready := true
	svc := nanodetService(t, func(context.Context) bool { return ready })
	ctx := context.Background()
	meta, err := svc.ModelMetadata(ctx, &inferencepb.ModelMetadataRequest{Name: "nanodet"})
	if err != nil {
		t.Fatal(err)
	}
	in := meta.Inputs[0]
	vals := make([]float32, 3*320*320)
	req := &inferencepb.ModelInferRequest{ModelName: "nanodet", Id: "x",
		Inputs:  []*inferencepb.ModelInferRequest_InferInputTensor{{Name: in.Name, Datatype: "FP32", Shape: in.Shape, Contents: &inferencepb.InferTensorContents{Fp32Contents: vals}}},
		Outputs: []*inferencepb.ModelInferRequest_InferRequestedOutputTensor{{Name: meta.Outputs[1].Name}},
	}
	resp, err := svc.ModelInfer(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Outputs) != 1 || resp.Outputs[0].Name != meta.Outputs[1].Name || resp.Id != "x" || len(resp.RawOutputContents) != 1 {
		t.Errorf("response %v, want output %q only, id x", resp.Outputs, meta.Outputs[1].Name)
	}
	bad := []struct {
		name string
		edit func(*inferencepb.ModelInferRequest)
		code codes.Code
	}{
		{"shape", func(r *inferencepb.ModelInferRequest) { r.Inputs[0].Shape = []int64{1, 3, 416, 416} }, codes.InvalidArgument},
		{"values", func(r *inferencepb.ModelInferRequest) { r.Inputs[0].Contents.Fp32Contents = vals[:9] }, codes.InvalidArgument},
		{"type", func(r *inferencepb.ModelInferRequest) { r.Inputs[0].Datatype = "UINT8" }, codes.InvalidArgument},
		{"output", func(r *inferencepb.ModelInferRequest) { r.Outputs[0].Name = "nope" }, codes.InvalidArgument},
		{"model", func(r *inferencepb.ModelInferRequest) { r.ModelName = "blazeface" }, codes.NotFound},
		{"version", func(r *inferencepb.ModelInferRequest) { r.ModelVersion = "2" }, codes.NotFound},
	}
	for _, b := range bad {
		r := protoClone(req)
		b.edit(r)
		if _, err := svc.ModelInfer(ctx, r); status.Code(err) != b.code {
			t.Errorf("bad %s: %v, want %v", b.name, err, b.code)
		}
	}
	ready = false
	if r, _ := svc.ServerReady(ctx, &inferencepb.ServerReadyRequest{}); r.GetReady() {
		t.Error("ServerReady while draining = true, want false")
	}
	if _, err := svc.ModelInfer(ctx, req); status.Code(err) != codes.Unavailable {
		t.Errorf("ModelInfer while draining: %v, want Unavailable", err)
	}
}

package kserve

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	inferencepb "github.com/framewire/framewire/proto/inference"
)

// fakeServer is an inference server with a two-value output whose
// ModelInfer does what infer says; it counts its calls.
type fakeServer struct {
	inferencepb.UnimplementedGRPCInferenceServiceServer
	calls atomic.Int64
	infer func(ctx context.Context) error // nil = answer
}

func (f *fakeServer) ServerReady(context.Context, *inferencepb.ServerReadyRequest) (*inferencepb.ServerReadyResponse, error) {
	return &inferencepb.ServerReadyResponse{Ready: true}, nil
}

func (f *fakeServer) ModelReady(context.Context, *inferencepb.ModelReadyRequest) (*inferencepb.ModelReadyResponse, error) {
	return &inferencepb.ModelReadyResponse{Ready: true}, nil
}

func (f *fakeServer) ModelMetadata(context.Context, *inferencepb.ModelMetadataRequest) (*inferencepb.ModelMetadataResponse, error) {
	return &inferencepb.ModelMetadataResponse{Name: "fake",
		Inputs:  []*inferencepb.ModelMetadataResponse_TensorMetadata{{Name: "in", Datatype: "FP32", Shape: []int64{-1, 2}}},
		Outputs: []*inferencepb.ModelMetadataResponse_TensorMetadata{{Name: "a", Datatype: "FP32", Shape: []int64{1, 2}}, {Name: "b", Datatype: "FP32", Shape: []int64{1, 1}}},
	}, nil
}

// ModelInfer answers the outputs in reverse order, b as typed contents and
// a as raw bytes, to show that they are matched by name.
func (f *fakeServer) ModelInfer(ctx context.Context, req *inferencepb.ModelInferRequest) (*inferencepb.ModelInferResponse, error) {
	f.calls.Add(1)
	if f.infer != nil {
		if err := f.infer(ctx); err != nil {
			return nil, err
		}
	}
	in := make([]float32, 2)
	if err := readFP32(in, req.GetRawInputContents()[0]); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &inferencepb.ModelInferResponse{
		Outputs: []*inferencepb.ModelInferResponse_InferOutputTensor{
			{Name: "b", Datatype: "FP32", Shape: []int64{1, 1}},
			{Name: "a", Datatype: "FP32", Shape: []int64{1, 2}},
		},
		RawOutputContents: [][]byte{appendFP32(nil, []float32{in[0] + in[1]}), appendFP32(nil, in)},
	}, nil
}

func failing(context.Context) error { return status.Error(codes.Internal, "out of GPU memory") }

// hanging never answers: it returns only when the call's deadline ends.
func hanging(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }

// forward runs one request through an engine of c with input x, y.
func forward(t *testing.T, c *Client, x, y float32) error {
	t.Helper()
	e, err := c.NewEngine([]int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	copy(e.Input().Data, []float32{x, y})
	outs, err := e.Forward()
	if err != nil {
		return err
	}
	if a, b := outs[0].Data, outs[1].Data; len(a) != 2 || a[0] != x || a[1] != y || len(b) != 1 || b[0] != x+y {
		t.Errorf("outputs a=%v b=%v, want a=[%v %v] b=[%v]", a, b, x, y, x+y)
	}
	return nil
}

// Requests spread round-robin over healthy servers.
func TestRoundRobin(t *testing.T) {
	p := newInProcess(t)
	s := []*fakeServer{{}, {}, {}}
	for _, f := range s {
		p.serve(f)
	}
	c := p.client(Config{Model: "fake"})
	for i := range 30 {
		if err := forward(t, c, float32(i), 1); err != nil {
			t.Fatal(err)
		}
	}
	for i, f := range s {
		if got := f.calls.Load(); got != 10 {
			t.Errorf("server %d took %d of 30 requests, want 10", i, got)
		}
	}
}

// A server that fails is skipped: every request succeeds on another one,
// and after its first failure the failing server is not asked again
// while it is marked down (an hour here, so that a slow machine cannot
// outlast it).
func TestFailoverOnError(t *testing.T) {
	p := newInProcess(t)
	bad, good := &fakeServer{infer: failing}, &fakeServer{}
	p.serve(bad)
	p.serve(good)
	c := p.client(Config{Model: "fake", DownFor: time.Hour})
	for i := range 20 {
		if err := forward(t, c, float32(i), 2); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if got := good.calls.Load(); got != 20 {
		t.Errorf("the good server answered %d requests, want 20", got)
	}
	if got := bad.calls.Load(); got != 1 {
		t.Errorf("the failing server was asked %d times while down, want 1", got)
	}
}

// A server that stops answering costs its share of the deadline; the
// request is retried on the other within it.
func TestFailoverOnSilence(t *testing.T) {
	p := newInProcess(t)
	silent, good := &fakeServer{infer: hanging}, &fakeServer{}
	p.serve(silent)
	p.serve(good)
	c := p.client(Config{Model: "fake", Timeout: 400 * time.Millisecond})
	for i := range 4 {
		start := time.Now()
		if err := forward(t, c, 1, float32(i)); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if d := time.Since(start); d > 400*time.Millisecond {
			t.Errorf("request %d took %v, want within the 400ms deadline", i, d)
		}
	}
	if got := silent.calls.Load(); got != 1 {
		t.Errorf("the silent server was asked %d times, want 1", got)
	}
}

// When every server fails, the request fails naming each one.
func TestEveryServerFails(t *testing.T) {
	p := newInProcess(t)
	p.serve(&fakeServer{infer: failing})
	p.serve(&fakeServer{infer: failing})
	c := p.client(Config{Model: "fake"})
	err := forward(t, c, 1, 1)
	if err == nil || !strings.Contains(err.Error(), "server-0:8001") || !strings.Contains(err.Error(), "server-1:8001") || !strings.Contains(err.Error(), "out of GPU memory") {
		t.Errorf("every server failing: %v, want an error naming both servers and their failure", err)
	}
}

// A server that is not up at start-up is reported and kept; one that is
// suffices.
func TestDialWithOneServerDown(t *testing.T) {
	p := newInProcess(t)
	p.serve(&fakeServer{})
	p.lis["down:8001"] = nil
	p.addrs = append(p.addrs, "down:8001")
	c, err := Dial(context.Background(), Config{Addrs: p.addrs, Dial: p.dialOrRefuse, Model: "fake", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if u := c.Unready(); len(u) != 1 || !strings.Contains(u[0].Error(), "down:8001") {
		t.Errorf("Unready() = %v, want down:8001 alone", u)
	}
	for i := range 4 {
		if err := forward(t, c, float32(i), 0); err != nil {
			t.Fatalf("request %d with one server down: %v", i, err)
		}
	}
}

package kserve

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"

	"gocv.io/x/gocv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	inferencepb "github.com/framewire/framewire/proto/inference"
)

// nanodetFile is the NanoDet model the project ships.
const nanodetFile = "../../models/nanodet/nanodet-m-320.onnx"

// inProcess serves inference services on in-memory listeners, one per
// made-up address, and dials them.
type inProcess struct {
	t     *testing.T
	lis   map[string]*bufconn.Listener
	addrs []string
}

func newInProcess(t *testing.T) *inProcess {
	return &inProcess{t: t, lis: map[string]*bufconn.Listener{}}
}

// serve starts a gRPC server with svc on a new address and returns it;
// the server stops when the test ends.
func (p *inProcess) serve(svc inferencepb.GRPCInferenceServiceServer) string {
	p.t.Helper()
	addr := fmt.Sprintf("server-%d:8001", len(p.addrs))
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	inferencepb.RegisterGRPCInferenceServiceServer(srv, svc)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	p.t.Cleanup(func() {
		srv.Stop()
		if err := <-served; err != nil {
			p.t.Errorf("serve %s: %v", addr, err)
		}
	})
	p.lis[addr] = lis
	p.addrs = append(p.addrs, addr)
	return addr
}

// dial connects to one of the in-memory addresses.
func (p *inProcess) dial(addr string) (*grpc.ClientConn, error) {
	lis, ok := p.lis[addr]
	if !ok {
		return nil, fmt.Errorf("no in-process server at %s", addr)
	}
	return grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }))
}

// client dials every address served so far for model.
func (p *inProcess) client(cfg Config) *Client {
	p.t.Helper()
	cfg.Addrs, cfg.Dial = p.addrs, p.dial
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { c.Close() })
	return c
}

// protoClone copies a request.
func protoClone(r *inferencepb.ModelInferRequest) *inferencepb.ModelInferRequest {
	return proto.Clone(r).(*inferencepb.ModelInferRequest)
}

// readImage reads a photo as 8-bit BGR, or skips the test without it.
func readImage(t *testing.T, path string) gocv.Mat {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s is needed (apt-get install darknet): %v", path, err)
	}
	img := gocv.IMRead(path, gocv.IMReadColor)
	if img.Empty() {
		t.Fatalf("cannot read %s", path)
	}
	return img
}

// dialOrRefuse is dial, with addresses mapped to a nil listener refusing
// every connection.
func (p *inProcess) dialOrRefuse(addr string) (*grpc.ClientConn, error) {
	if lis, ok := p.lis[addr]; ok && lis == nil {
		return grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithContextDialer(func(context.Context, string) (net.Conn, error) { return nil, fmt.Errorf("connection refused") }))
	}
	return p.dial(addr)
}

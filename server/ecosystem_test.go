package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/stream"
)

// The gRPC calls are counted per method and status code, in the form
// Prometheus dashboards for gRPC expect.
func TestGRPCServerMetrics(t *testing.T) {
	m := startMonitored(t)
	if _, err := runStream(t, m.rpc, &pb.StreamHeader{Name: "g"}, 3); err != nil {
		t.Fatal(err)
	}
	exposition := get(t, m.http.URL+"/metrics")
	for _, want := range []string{
		`grpc_server_started_total{grpc_method="StreamFrames",grpc_service="ImageProcedure",grpc_type="bidi_stream"} 1`,
		`grpc_server_handled_total{grpc_code="OK",grpc_method="StreamFrames",grpc_service="ImageProcedure",grpc_type="bidi_stream"} 1`,
		`grpc_server_msg_received_total{grpc_method="StreamFrames",grpc_service="ImageProcedure",grpc_type="bidi_stream"} 4`,
		`grpc_server_handling_seconds_count{grpc_method="StreamFrames",grpc_service="ImageProcedure",grpc_type="bidi_stream"} 1`,
	} {
		if !strings.Contains(exposition, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// A stream may lower the model's threshold down to the server's floor, as
// Ultralytics users do with --conf 0.25; below the floor it is refused.
func TestStreamLowersConfDownToTheFloor(t *testing.T) {
	photo, err := os.ReadFile("/usr/share/darknet/data/person.jpg")
	if err != nil {
		t.Skipf("needs darknet's person.jpg (apt-get install darknet): %v", err)
	}
	srv, err := New(Config{OutDir: t.TempDir(), Workers: 1, MinConf: 0.05,
		Model: detect.Config{Kind: detect.KindNanodet, ModelFile: filepath.Join("..", "models", "nanodet", "nanodet-m-320.onnx")}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	p := srv.Service()
	detectAt := func(conf float32) ([]*pb.Detection, error) {
		r, err := p.DetectFrame(context.Background(), &pb.DetectFrameRequest{Name: "conf", Frame: &pb.Frame{Data: photo},
			Options: &pb.StreamOptions{Conf: conf}})
		return r.GetDetections(), err
	}
	def, err := detectAt(0)
	if err != nil {
		t.Fatal(err)
	}
	low, err := detectAt(0.1)
	if err != nil {
		t.Fatal(err)
	}
	if len(low) <= len(def) {
		t.Errorf("conf 0.1 found %d objects, the default 0.4 %d: want more", len(low), len(def))
	}
	for _, d := range def {
		if d.Score < 0.4 {
			t.Errorf("default threshold kept %s %.2f", d.Label, d.Score)
		}
	}
	for _, d := range low {
		if d.Score < 0.1 {
			t.Errorf("conf 0.1 kept %s %.2f", d.Label, d.Score)
		}
	}
	if _, err := detectAt(0.01); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "lowest") {
		t.Errorf("conf 0.01 under a floor of 0.05: %v, want InvalidArgument naming the floor", err)
	}
}

// runStream streams n grey frames under hdr and returns the summary.
func runStream(t *testing.T, c pb.ImageProcedureClient, hdr *pb.StreamHeader, n int) (*stream.Summary, error) {
	t.Helper()
	return stream.NewClient(c).Run(context.Background(), &grayFrames{t: t, n: n}, stream.ClientConfig{Header: hdr})
}

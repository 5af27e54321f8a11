package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/streamtest"
)

// debianPython is Debian's interpreter, which sees python3-grpcio.
const debianPython = "/usr/bin/python3"

// TestTutorialPythonClient runs the tutorial's own client, with stubs
// generated from the tutorial's own proto, against the real server.
func TestTutorialPythonClient(t *testing.T) {
	t.Parallel()
	if err := exec.Command(debianPython, "-c", "import grpc, grpc_tools, numpy").Run(); err != nil {
		t.Skipf("needs Debian's python3-grpcio, python3-grpc-tools and python3-numpy: %v", err)
	}
	s := startServer(t, t.TempDir(), "--model", "mean")
	dir := t.TempDir()
	tut, err := filepath.Abs(filepath.Join("..", "testdata", "tutorial"))
	if err != nil {
		t.Fatal(err)
	}
	gen := exec.Command(debianPython, "-m", "grpc_tools.protoc", "-I", tut, "--python_out="+dir, "--grpc_python_out="+dir, "image_procedure.proto")
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("generate the tutorial's stubs: %v\n%s", err, out)
	}
	cli := exec.Command(debianPython, filepath.Join(tut, "client.py"), s.addr, "200")
	cli.Env = append(os.Environ(), "PYTHONPATH="+dir)
	out, err := cli.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok 201 calls") {
		t.Fatalf("tutorial client: %v\n%s", err, out)
	}
}

// TestFullHDRawFrameThroughStream sends a 1920x1080 raw BGR frame (6.2 MB)
// through the stream with the server's default message limit.
func TestFullHDRawFrameThroughStream(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir(), "--model", "mean")
	conn, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(16<<20)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raw := bytes.Repeat([]byte{10, 20, 30}, 1920*1080)
	src := &streamtest.Frames{{Seq: 0, Encoding: pb.Encoding_ENCODING_RAW_BGR, Data: raw, Width: 1920, Height: 1080,
		CaptureUnixNano: time.Now().UnixNano()}}
	var got *pb.FrameResult
	_, err = stream.NewClient(pb.NewImageProcedureClient(conn)).Run(context.Background(), src, stream.ClientConfig{
		Header:   &pb.StreamHeader{Name: "fullhd"},
		OnResult: func(r *pb.FrameResult, _ time.Duration) { got = r },
	})
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Error != "" || got.Width != 1920 || got.Height != 1080 || got.Mean != 20 {
		t.Errorf("result %v", got)
	}
}

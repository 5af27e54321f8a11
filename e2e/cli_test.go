package e2e

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// exitStatus runs bin with args and returns its exit status and output.
func exitStatus(t *testing.T, env []string, bin string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cmd.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("run %s: %v", bin, err)
	return -1, ""
}

// built holds the commands compiled for tests that run them as
// processes, beside serverBin, by name.
var built struct {
	sync.Mutex
	bins map[string]string
}

// buildCmd compiles the command cmd/name the first time it is called and
// returns its binary.
func buildCmd(t *testing.T, name string) string {
	t.Helper()
	built.Lock()
	defer built.Unlock()
	if bin, ok := built.bins[name]; ok {
		return bin
	}
	bin := filepath.Join(filepath.Dir(serverBin), name)
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/"+name).CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	if built.bins == nil {
		built.bins = map[string]string{}
	}
	built.bins[name] = bin
	return bin
}

// buildClient compiles framewire-capture, once.
func buildClient(t *testing.T) string { return buildCmd(t, "framewire-capture") }

// Both commands: --help and --version exit 0, usage errors 2, failures 1;
// the health probe exits 1 when nothing serves and works over TLS.
func TestExitStatuses(t *testing.T) {
	t.Parallel()
	client := buildClient(t)
	p := newPKI(t)
	tlsServer := startServer(t, t.TempDir(), "--model", "mean", "--tls-cert", p.serverCert, "--tls-key", p.serverKey)
	for _, c := range []struct {
		name string
		env  []string
		bin  string
		args []string
		want int
		says string
	}{
		{"client --help", nil, client, []string{"--help"}, 0, "Exit status"},
		{"client --version", nil, client, []string{"--version"}, 0, "OpenCV"},
		{"client unknown flag", nil, client, []string{"--bogus"}, 2, "bogus"},
		{"client bad value", nil, client, []string{"--source", "0", "--quality", "0"}, 2, "--quality"},
		{"client bad variable", []string{"FRAMEWIRE_CAPTURE_WINDOW=many"}, client, []string{"--source", "0"}, 2, "FRAMEWIRE_CAPTURE_WINDOW"},
		{"client cannot reach the server", nil, client, []string{"--source", vtest, "--server", "127.0.0.1:1", "--retries", "0"}, 1, "framewire-capture:"},
		{"server --help", nil, serverBin, []string{"--help"}, 0, "Exit status"},
		{"server --version", nil, serverBin, []string{"--version"}, 0, "ONNX Runtime"},
		{"server unknown flag", nil, serverBin, []string{"--bogus"}, 2, "bogus"},
		{"server bad log level", nil, serverBin, []string{"--log-level", "loud"}, 2, "--log-level"},
		{"server bad model file", nil, serverBin, []string{"--model", "nanodet", "--model-file", "/nonexistent.onnx", "--listen", "127.0.0.1:0", "--http", ""}, 1, "nonexistent.onnx"},
		{"probe with nothing serving", nil, serverBin, []string{"--health-probe", "127.0.0.1:1"}, 1, "health probe"},
		{"probe over TLS", nil, serverBin, []string{"--health-probe", tlsServer.addr, "--health-probe-ca", p.ca}, 0, "SERVING"},
	} {
		got, out := exitStatus(t, c.env, c.bin, c.args...)
		if got != c.want || !strings.Contains(out, c.says) {
			t.Errorf("%s: exit %d, want %d, with %q in:\n%.1500s", c.name, got, c.want, c.says, out)
		}
	}
	// None of these ran with --out: a server that did not start made no
	// output folder in the working directory.
	if _, err := os.Stat("framewire-out"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a server that failed to start left ./framewire-out behind (stat: %v)", err)
	}
}

// The health service answers for the service by name too, as
// grpc_health_probe -service ImageProcedure asks.
func TestHealthPerService(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir(), "--model", "mean")
	conn, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, service := range []string{"", "ImageProcedure"} {
		resp, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health of %q: %v %v, want SERVING", service, resp.GetStatus(), err)
		}
	}
}

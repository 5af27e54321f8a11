package e2e

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/framewire/framewire/internal/capturecmd"
	"github.com/framewire/framewire/server/store/folder"
)

// replicas are framewire-server processes on fixed loopback addresses
// that share one output folder.
type replicas struct {
	t     *testing.T
	out   string
	addrs []string
	procs []*server
}

func startReplicas(t *testing.T, n int, args ...string) *replicas {
	t.Helper()
	r := &replicas{t: t, out: t.TempDir()}
	for range n {
		r.addrs = append(r.addrs, freeAddr(t))
	}
	for i := range n {
		r.procs = append(r.procs, startServer(t, r.out, append([]string{"--listen", r.addrs[i]}, args...)...))
	}
	return r
}

// killAndRestart SIGKILLs replica i and starts it again on its address.
func (r *replicas) killAndRestart(i int, args ...string) {
	r.t.Helper()
	p := r.procs[i]
	if err := p.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		r.t.Fatal(err)
	}
	<-p.Done()
	p.Cmd.Wait()
	r.procs[i] = startServer(r.t, r.out, append([]string{"--listen", r.addrs[i]}, args...)...)
}

// linesIn counts the predictions lines of the streams named.
func linesIn(out string, names ...string) int {
	n := 0
	for _, name := range names {
		n += lineCountOrZero(filepath.Join(out, name, folder.PredictionsFile))
	}
	return n
}

// waitLines polls the folder out (another process writes it; there is
// nothing to synchronise with) until the streams names hold at least want
// lines together, and fails t after timeout.
func waitLines(t *testing.T, timeout time.Duration, want int, out string, names ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for linesIn(out, names...) < want {
		if time.Now().After(deadline) {
			t.Fatalf("the streams %v recorded %d frames in %v, want %d", names, linesIn(out, names...), timeout, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Three replicas share one folder; three clients stream the first 300
// frames of vtest.avi under their own names with all three addresses. The
// replicas are killed one after another mid-stream (and restarted): every
// stream still ends with each of its frames recorded once, and every
// client exits 0.
func TestReplicasKilledOneAfterAnotherLoseNothing(t *testing.T) {
	t.Parallel()
	const frames = 300
	clip := vtestClip(t, frames)
	args := []string{"--model", "mean"}
	r := startReplicas(t, 3, args...)
	servers := strings.Join(r.addrs, ",")
	names := []string{"cam-a", "cam-b", "cam-c"}
	type outcome struct {
		name   string
		err    error
		stderr string
	}
	done := make(chan outcome, len(names))
	for _, name := range names {
		go func() {
			var out, errOut bytes.Buffer
			err := capturecmd.Run(context.Background(), []string{"--server", servers, "--source", clip, "--name", name,
				"--max-fps", "100", "--retries", "30", "--quiet"}, &out, &errOut)
			done <- outcome{name, err, errOut.String()}
		}()
	}
	// Kill replica i once the streams have recorded (i+1)/4 of their frames.
	for i := range 3 {
		waitLines(t, 2*time.Minute, (i+1)*3*frames/4, r.out, names...)
		r.killAndRestart(i, args...)
	}
	for range names {
		o := <-done
		if o.err != nil {
			t.Errorf("client %s: %v\n%s", o.name, o.err, o.stderr)
		}
		checkExactOutput(t, filepath.Join(r.out, o.name), frames)
	}
}

// Two calls with one name on two servers that share a folder: exactly one
// writes; the other is refused with ALREADY_EXISTS and does not retry.
func TestOneWriterPerNameAcrossServers(t *testing.T) {
	t.Parallel()
	r := startReplicas(t, 2, "--model", "mean")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := make(chan error, 1)
	go func() {
		var out, errOut bytes.Buffer
		first <- capturecmd.Run(ctx, []string{"--server", r.addrs[0], "--source", testCamera, "--name", "shared", "--quiet"}, &out, &errOut)
	}()
	waitLines(t, 20*time.Second, 1, r.out, "shared")
	_, stderr, err := runFor(t, 20*time.Second, "--server", r.addrs[1], "--source", testCamera, "--name", "shared", "--overwrite", "--quiet")
	if err == nil || !strings.Contains(err.Error(), `stream "shared" is being written by another client's call`) || strings.Contains(stderr, "reconnecting") {
		t.Errorf("second client on the other server: %v, want ALREADY_EXISTS naming the stream, without retries\n%s", err, stderr)
	}
	cancel()
	if err := <-first; err != nil {
		t.Errorf("the first client: %v", err)
	}
	jpgs, _ := filepath.Glob(filepath.Join(r.out, "shared", "*.jpg"))
	if lines := linesIn(r.out, "shared"); lines != len(jpgs) {
		t.Errorf("the folder has %d lines and %d JPEGs, want one JPEG per line", lines, len(jpgs))
	}
}

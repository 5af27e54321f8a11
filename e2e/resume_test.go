package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/framewire/framewire/internal/capturecmd"
)

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// checkExactOutput asserts that out/name holds exactly frames 0..n-1: one
// JPEG and one predictions line each.
func checkExactOutput(t *testing.T, dir string, n int) {
	t.Helper()
	jpgs, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if len(jpgs) != n {
		t.Errorf("%d JPEGs, want %d", len(jpgs), n)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmps) != 0 {
		t.Errorf("partial files left: %v", tmps)
	}
	for i := range n {
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("%08d.jpg", i))); err != nil {
			t.Errorf("frame %d has no JPEG: %v", i, err)
			break
		}
	}
	lines := strings.Split(strings.TrimSuffix(readFile(t, filepath.Join(dir, "predictions.jsonl")), "\n"), "\n")
	seen := map[int64]int{}
	for _, l := range lines {
		var p struct {
			Seq   *int64
			Error string
		}
		if err := json.Unmarshal([]byte(l), &p); err != nil || p.Seq == nil {
			t.Fatalf("bad predictions line %q: %v", l, err)
		}
		if p.Error != "" {
			t.Errorf("frame %d failed: %s", *p.Seq, p.Error)
		}
		seen[*p.Seq]++
	}
	if len(lines) != n || len(seen) != n {
		t.Errorf("%d lines for %d distinct frames, want %d of each", len(lines), len(seen), n)
	}
	for seq, c := range seen {
		if seq < 0 || seq >= int64(n) || c != 1 {
			t.Errorf("frame %d appears %d times", seq, c)
		}
	}
}

// interrupt is what the test does to the server after some results.
type interrupt struct {
	after  int // results seen by the client
	signal syscall.Signal
}

// runWithInterrupts streams vtest.avi to a server on a fixed address and,
// after each interrupt's count of results, signals the server, waits for
// it to exit and starts a new one on the same address and output folder.
func runWithInterrupts(t *testing.T, model string, ints ...interrupt) (out string, servers []*server, clientErr error, stderr string) {
	return runWithInterruptsArgs(t, []string{"--model", model}, ints...)
}

// runWithInterruptsArgs is runWithInterrupts with the server's flags.
func runWithInterruptsArgs(t *testing.T, serverArgs []string, ints ...interrupt) (out string, servers []*server, clientErr error, stderr string) {
	needFile(t, vtest, "opencv-doc")
	out = t.TempDir()
	addr := freeAddr(t)
	args := append(serverArgs, "--listen", addr, "--drain", "20s")
	servers = append(servers, startServer(t, out, args...))

	pr, pw := io.Pipe()
	reached := make(chan int, len(ints))
	scanDone := make(chan struct{})
	go func() {
		defer close(scanDone)
		sc := bufio.NewScanner(pr)
		n, next := 0, 0
		for sc.Scan() {
			n++
			if next < len(ints) && n == ints[next].after {
				reached <- next
				next++
			}
		}
	}()
	var errBuf strings.Builder
	clientDone := make(chan error, 1)
	go func() {
		err := capturecmd.Run(context.Background(), []string{"--server", addr, "--source", vtest, "--json", "--retries", "20"}, pw, &errBuf)
		pw.Close()
		clientDone <- err
	}()
	for range ints {
		var i int
		select {
		case i = <-reached:
		case err := <-clientDone:
			t.Fatalf("client ended before the interrupts: %v\n%s", err, errBuf.String())
		}
		s := servers[len(servers)-1]
		if err := s.Cmd.Process.Signal(ints[i].signal); err != nil {
			t.Fatal(err)
		}
		<-s.Done()
		s.Cmd.Wait()
		servers = append(servers, startServer(t, out, args...))
	}
	clientErr = <-clientDone
	<-scanDone
	return filepath.Join(out, "vtest"), servers, clientErr, errBuf.String()
}

func TestServerKilledMidFileResumesExactly(t *testing.T) {
	t.Parallel()
	dir, _, err, stderr := runWithInterrupts(t, "mean", interrupt{after: 250, signal: syscall.SIGKILL})
	if err != nil {
		t.Fatalf("client: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "reconnecting") {
		t.Errorf("the client did not say it reconnected:\n%s", stderr)
	}
	checkExactOutput(t, dir, 795)
}

func TestServerKilledTwiceResumesExactly(t *testing.T) {
	t.Parallel()
	dir, _, err, stderr := runWithInterrupts(t, "mean",
		interrupt{after: 150, signal: syscall.SIGKILL}, interrupt{after: 500, signal: syscall.SIGKILL})
	if err != nil {
		t.Fatalf("client: %v\n%s", err, stderr)
	}
	checkExactOutput(t, dir, 795)
}

// TestDrainLosesNothing sends SIGTERM in the middle of a file: the server
// finishes what it received, tells the client, and exits; the client
// resumes on the next server and the output is exact.
func TestDrainLosesNothing(t *testing.T) {
	t.Parallel()
	dir, servers, err, stderr := runWithInterrupts(t, "blazeface", interrupt{after: 300, signal: syscall.SIGTERM})
	if err != nil {
		t.Fatalf("client: %v\n%s", err, stderr)
	}
	first := servers[0]
	if code := first.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("drained server exited %d, want 0\n%s", code, first.Log())
	}
	if !strings.Contains(stderr, "Unavailable") || !strings.Contains(stderr, "shutting down") {
		t.Errorf("the client was not told the server was shutting down:\n%s", stderr)
	}
	checkExactOutput(t, dir, 795)
}

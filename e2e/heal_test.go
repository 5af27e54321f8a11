package e2e

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/framewire/framewire/internal/capturecmd"
)

// runKilledAfter runs the client command args to the end while, after n
// results, the server s is killed with SIGKILL; it returns the client's
// stderr and error, once the server has exited.
func runKilledAfter(t *testing.T, s *server, n int, args []string) (string, error) {
	t.Helper()
	pr, pw := io.Pipe()
	scanned := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		seen, killed := 0, false
		for sc.Scan() {
			if seen++; seen == n {
				killed = s.Cmd.Process.Signal(syscall.SIGKILL) == nil
			}
		}
		scanned <- killed
	}()
	var stderr strings.Builder
	err := capturecmd.Run(context.Background(), args, pw, &stderr)
	pw.Close()
	if !<-scanned {
		t.Fatalf("the server was not killed after %d results; client: %v\n%s", n, err, stderr.String())
	}
	<-s.Done()
	s.Cmd.Wait()
	return stderr.String(), err
}

// overwriteAcrossALine overwrites, in place on disk, 20 bytes of file
// around a line end near its middle: two lines become one damaged line,
// which it returns with its newline.
func overwriteAcrossALine(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	nl := len(b)/2 + bytes.IndexByte(b[len(b)/2:], '\n')
	f, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := bytes.Repeat([]byte{'#'}, 20)
	if _, err := f.WriteAt(junk, int64(nl-10)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	copy(b[nl-10:], junk)
	start := bytes.LastIndexByte(b[:nl-10], '\n') + 1
	end := nl + 10 + bytes.IndexByte(b[nl+10:], '\n') + 1
	return string(b[start:end])
}

// A real server killed mid-file with SIGKILL, then its predictions.jsonl
// overwritten in the middle across a line end: the same client command
// resumes on a new server, which sets the damaged line aside and redoes
// its two frames, so that each frame has exactly one valid line.
func TestKilledRunWithDamagedPredictionsHealsOnResume(t *testing.T) {
	t.Parallel()
	const frames = 120
	clip := tinyClip(t, frames)
	out, addr := t.TempDir(), freeAddr(t)
	serverArgs := []string{"--model", "mean", "--listen", addr}
	client := []string{"--server", addr, "--source", clip, "--json", "--retries", "0"}
	// The client has at most its window (8 frames) unanswered: the kill
	// comes long before the clip's end.
	stderr, err := runKilledAfter(t, startServer(t, out, serverArgs...), frames/3, client)
	if err == nil {
		t.Fatalf("the client finished although its server was killed:\n%s", stderr)
	}
	dir := filepath.Join(out, "tiny")
	damaged := overwriteAcrossALine(t, filepath.Join(dir, "predictions.jsonl"))

	s := startServer(t, out, serverArgs...)
	var resumed strings.Builder
	if err := capturecmd.Run(context.Background(), client, io.Discard, &resumed); err != nil {
		t.Fatalf("resumed client: %v\n%s", err, resumed.String())
	}
	checkExactOutput(t, dir, frames)
	aside, _ := filepath.Glob(filepath.Join(dir, "predictions.damaged-*.jsonl"))
	if len(aside) != 1 {
		t.Fatalf("set-aside files %v, want one", aside)
	}
	if got := readFile(t, aside[0]); got != damaged {
		t.Errorf("set aside %q, want the damaged line %q", got, damaged)
	}
	if !strings.Contains(s.Log(), "set aside") {
		t.Errorf("the server did not log that it set lines aside:\n%s", s.Log())
	}
}

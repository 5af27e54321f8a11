package main

import (
	"bufio"
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// running is run() serving in this process on loopback ports.
type running struct {
	grpcAddr, httpAddr string
	log                *lockedLog
}

// lockedLog keeps the server's log lines for failure messages.
type lockedLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lockedLog) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

var (
	grpcAddrRE = regexp.MustCompile(`msg=serving addr=(\S+)`)
	httpAddrRE = regexp.MustCompile(`msg="http serving" addr=(\S+)`)
)

// startRun runs the server with args on free loopback ports (gRPC and
// HTTP) and waits until it serves. It is stopped, and waited for, when
// the test ends.
func startRun(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	args = append([]string{"--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--out", t.TempDir()}, args...)
	exited := make(chan error, 1)
	go func() {
		err := run(ctx, args, io.Discard, pw)
		pw.Close()
		exited <- err
	}()
	r := &running{log: &lockedLog{}}
	ready := make(chan struct{})
	logDone := make(chan struct{})
	go func() { // reads the log until run ends
		defer close(logDone)
		sc := bufio.NewScanner(pr)
		var grpcAddr, httpAddr string
		for sc.Scan() {
			line := sc.Text()
			r.log.add(line)
			if m := httpAddrRE.FindStringSubmatch(line); m != nil {
				httpAddr = m[1]
			}
			if m := grpcAddrRE.FindStringSubmatch(line); m != nil {
				grpcAddr = m[1]
				r.grpcAddr, r.httpAddr = grpcAddr, httpAddr
				close(ready)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-exited; err != nil {
			t.Errorf("run: %v", err)
		}
		<-logDone
		if t.Failed() {
			t.Logf("server log:\n%s", r.log)
		}
	})
	select {
	case <-ready:
	case <-logDone:
		t.Fatalf("the server stopped before serving:\n%s", r.log)
	case <-time.After(60 * time.Second):
		t.Fatalf("the server did not serve within 60 s:\n%s", r.log)
	}
	return r
}

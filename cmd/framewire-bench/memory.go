package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
)

// servingRE finds the address in framewire-server's "serving" log line.
var servingRE = regexp.MustCompile(`msg=serving addr=(\S+)`)

// serverProc is a framewire-server subprocess.
type serverProc struct {
	cmd     *exec.Cmd
	addr    string
	logDone chan struct{} // closed when its stderr is read to the end
	log     bytes.Buffer  // its stderr, readable after logDone
}

// startServer builds framewire-server into dir and starts it on a free
// loopback port with args; it returns once the server serves.
func startServer(ctx context.Context, dir string, args ...string) (*serverProc, error) {
	bin := filepath.Join(dir, "framewire-server")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/framewire/framewire/cmd/framewire-server")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build framewire-server: %w\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"--listen", "127.0.0.1:0", "--http", ""}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("framewire-server stderr: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start framewire-server: %w", err)
	}
	s := &serverProc{cmd: cmd, logDone: make(chan struct{})}
	addr := make(chan string, 1)
	go func() { // owns stderr until the process closes it
		defer close(s.logDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.log.WriteString(line + "\n")
			if m := servingRE.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case s.addr = <-addr:
		return s, nil
	case <-s.logDone:
		err := cmd.Wait()
		return nil, fmt.Errorf("framewire-server exited before serving (%v):\n%s", err, s.log.String())
	case <-ctx.Done():
		return nil, errors.Join(ctx.Err(), s.stop())
	}
}

// stop ends the server with SIGTERM and waits for it.
func (s *serverProc) stop() error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.cmd.Process.Kill()
	}
	<-s.logDone
	if err := s.cmd.Wait(); err != nil {
		return fmt.Errorf("framewire-server: %w\n%s", err, s.log.String())
	}
	return nil
}

// rssKB reads VmRSS of process pid from /proc, in kB.
func rssKB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	return parseVmRSS(b)
}

// parseVmRSS finds "VmRSS:   1234 kB" in the text of /proc/PID/status.
func parseVmRSS(status []byte) (int64, error) {
	for line := range strings.SplitSeq(string(status), "\n") {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			break
		}
		return strconv.ParseInt(f[0], 10, 64)
	}
	return 0, errors.New("no VmRSS line in /proc status")
}

// memory is figure f: the real framewire-server binary with the mean
// model; its RSS after MemFrames frames minus its RSS after MemBase.
func (b *bench) memory(ctx context.Context) (figs []figure, err error) {
	frames, err := b.loadFrames(ctx, b.o.Frames)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(b.tmp, "mem")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make %s: %w", dir, err)
	}
	srv, err := startServer(ctx, dir, "--out", filepath.Join(dir, "out"), "--model", "mean", "--workers", strconv.Itoa(b.o.Workers))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, srv.stop()) }()
	conn, err := grpc.NewClient(srv.addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMsg), grpc.MaxCallSendMsgSize(maxMsg)))
	if err != nil {
		return nil, fmt.Errorf("connect to framewire-server: %w", err)
	}
	defer conn.Close()
	c := stream.NewClient(pb.NewImageProcedureClient(conn))
	send := func(name string, first, n int64) error {
		sum, err := c.Run(ctx, newSliceSource(frames, first, n), stream.ClientConfig{
			Header: &pb.StreamHeader{Name: name, FrameCount: n, Window: int32(b.o.Window)},
		})
		if err != nil {
			return fmt.Errorf("stream %s: %w", name, err)
		}
		if sum.Processed != n {
			return fmt.Errorf("stream %s: %d of %d frames processed", name, sum.Processed, n)
		}
		return nil
	}
	base, total := int64(b.o.MemBase), int64(b.o.MemFrames)
	if err := send("mem-base", 0, base); err != nil {
		return nil, err
	}
	rss0, err := rssKB(srv.cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	if err := send("mem-rest", base, total-base); err != nil {
		return nil, err
	}
	rss1, err := rssKB(srv.cmd.Process.Pid)
	if err != nil {
		return nil, err
	}
	f := newFigure("f", fmt.Sprintf("server RSS growth %d->%d frames (mean)", base, total), "MB",
		float64(rss1-rss0)/1024, &target{"<=", 5},
		value{fmt.Sprintf("RSS at %d", base), float64(rss0) / 1024, "MB"},
		value{fmt.Sprintf("RSS at %d", total), float64(rss1) / 1024, "MB"})
	b.p.figure(f)
	return []figure{f}, nil
}

// Package serverproc runs framewire-server as a subprocess on a free
// loopback port, for the benchmark command and the end-to-end tests, and
// reads a process's resident memory.
package serverproc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Proc is a running framewire-server. Its methods are safe for concurrent
// use; one goroutine owns its stderr until the process closes it.
type Proc struct {
	Cmd  *exec.Cmd
	Addr string // the gRPC address it serves

	logDone chan struct{}
	mu      sync.Mutex
	log     bytes.Buffer
}

// servingRE finds the address in framewire-server's "serving" log line.
var servingRE = regexp.MustCompile(`msg=serving addr=(\S+)`)

// Build compiles framewire-server with the given build tags into dir and
// returns the binary's path.
func Build(ctx context.Context, dir string, tags ...string) (string, error) {
	name := "framewire-server"
	args := []string{"build"}
	if len(tags) > 0 {
		name += "-" + strings.Join(tags, "-")
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	bin := filepath.Join(dir, name)
	args = append(args, "-o", bin)
	build := exec.CommandContext(ctx, "go", append(args, "github.com/framewire/framewire/cmd/framewire-server")...)
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build framewire-server: %w\n%s", err, out)
	}
	return bin, nil
}

// Start runs bin on a free loopback port without the HTTP listener, with
// args after those (so args may override them), and returns once it
// serves. If it exits first, or ctx ends, the error carries its log.
func Start(ctx context.Context, bin string, args ...string) (*Proc, error) {
	cmd := exec.Command(bin, append([]string{"--listen", "127.0.0.1:0", "--http", ""}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("framewire-server stderr: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start framewire-server: %w", err)
	}
	p := &Proc{Cmd: cmd, logDone: make(chan struct{})}
	addr := make(chan string, 1)
	go p.readLog(stderr, addr)
	if err := p.waitServing(ctx, addr); err != nil {
		return nil, err
	}
	return p, nil
}

// readLog keeps the server's stderr in the log until it closes, and sends
// the address of the first "serving" line to addr.
func (p *Proc) readLog(stderr io.Reader, addr chan<- string) {
	defer close(p.logDone)
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		p.mu.Lock()
		p.log.WriteString(line + "\n")
		p.mu.Unlock()
		if m := servingRE.FindStringSubmatch(line); m != nil {
			offer(addr, m[1])
		}
	}
}

// offer sends a to addr unless an address is already waiting there.
func offer(addr chan<- string, a string) {
	select {
	case addr <- a:
	default:
	}
}

// waitServing sets p.Addr once the server serves; it fails when the server
// exits first or ctx ends (which kills it).
func (p *Proc) waitServing(ctx context.Context, addr <-chan string) error {
	select {
	case p.Addr = <-addr:
		return nil
	case <-p.logDone:
		err := p.Cmd.Wait()
		return fmt.Errorf("framewire-server exited before serving (%v):\n%s", err, p.Log())
	case <-ctx.Done():
		p.Kill()
		return fmt.Errorf("framewire-server did not serve: %w\n%s", ctx.Err(), p.Log())
	}
}

// Log returns what the server has written to stderr so far.
func (p *Proc) Log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// Done is closed once the server's stderr is closed (it exited).
func (p *Proc) Done() <-chan struct{} { return p.logDone }

// Stop ends the server with SIGTERM and waits for it and its log.
func (p *Proc) Stop() error {
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.Cmd.Process.Kill()
	}
	<-p.logDone
	if err := p.Cmd.Wait(); err != nil {
		return fmt.Errorf("framewire-server: %w\n%s", err, p.Log())
	}
	return nil
}

// Kill ends the server with SIGKILL and waits for it and its log.
func (p *Proc) Kill() {
	p.Cmd.Process.Kill()
	<-p.logDone
	p.Cmd.Wait()
}

// RSSKB reads the resident set size of process pid, in kB.
func RSSKB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	return ParseVmRSS(b)
}

// ParseVmRSS finds "VmRSS:   1234 kB" in the text of /proc/PID/status.
func ParseVmRSS(status []byte) (int64, error) {
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
	return 0, errors.New("no VmRSS line in kB")
}

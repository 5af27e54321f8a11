package rig

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// GoBuild compiles the package pkg of this module into dir and returns the
// binary's path.
func GoBuild(ctx context.Context, dir, pkg string) (string, error) {
	bin := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/framewire/framewire/"+pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w\n%s", pkg, err, out)
	}
	return bin, nil
}

// RunTimed runs a command to its end and returns its wall time and stdout.
// A failure carries the command's output.
func RunTimed(ctx context.Context, name string, args ...string) (time.Duration, []byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	d := time.Since(start)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w\n%s%s", filepath.Base(name), strings.Join(args, " "), err, out, stderr.String())
	}
	return d, out, nil
}

// PyProc is a Python server started by startPython.
type PyProc struct {
	cmd  *exec.Cmd
	Addr string
}

// StartPython runs python with args and waits for its "serving PORT" line.
func StartPython(ctx context.Context, python string, args ...string) (*PyProc, error) {
	cmd := exec.Command(python, args...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("python stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", python, err)
	}
	p := &PyProc{cmd: cmd}
	port := make(chan string, 1)
	go readPort(stdout, port)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	select {
	case pt, ok := <-port:
		if ok {
			p.Addr = "127.0.0.1:" + pt
			return p, nil
		}
		return nil, errors.Join(fmt.Errorf("%s %v exited before serving", python, args), p.Stop())
	case <-ctx.Done():
		return nil, errors.Join(fmt.Errorf("%s %v did not serve: %w", python, args, ctx.Err()), p.Stop())
	}
}

// readPort sends the port of the servers' "serving PORT" line on port, or
// closes it when stdout ends first, then reads stdout to its end.
func readPort(stdout io.Reader, port chan<- string) {
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if pt, ok := strings.CutPrefix(sc.Text(), "serving "); ok {
			port <- pt
			break
		}
	}
	close(port)
	io.Copy(io.Discard, stdout)
}

// Stop kills the process and waits for it.
func (p *PyProc) Stop() error {
	p.cmd.Process.Kill()
	err := p.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return nil // killed, as asked
	}
	return err
}

// PythonStubs generates the Python stubs of the proto into dir with
// grpc_tools.protoc, as the tutorial does. Debian 12's grpc_tools carries
// protoc 3.5, which predates proto3's optional: the proto is copied into
// dir without that label first (the same wire format; only presence
// tracking differs, which the tutorial's messages do not use).
func PythonStubs(ctx context.Context, python, proto, dir string) error {
	src, err := os.ReadFile(proto)
	if err != nil {
		return fmt.Errorf("read the proto: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("make %s: %w", dir, err)
	}
	name := filepath.Base(proto)
	if err := os.WriteFile(filepath.Join(dir, name), withoutOptional(src), 0o644); err != nil {
		return fmt.Errorf("copy the proto: %w", err)
	}
	gen := exec.CommandContext(ctx, python, "-m", "grpc_tools.protoc", "-I", dir,
		"--python_out="+dir, "--grpc_python_out="+dir, name)
	if out, err := gen.CombinedOutput(); err != nil {
		return fmt.Errorf("generate Python stubs from %s: %w\n%s", proto, err, out)
	}
	return nil
}

// withoutOptional drops the proto3 "optional" label from field lines.
func withoutOptional(proto []byte) []byte {
	lines := strings.SplitAfter(string(proto), "\n")
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " \t")
		if rest, ok := strings.CutPrefix(trimmed, "optional "); ok {
			lines[i] = l[:len(l)-len(trimmed)] + rest
		}
	}
	return []byte(strings.Join(lines, ""))
}

// PythonHas says why python cannot import the modules, or nil.
func PythonHas(python string, modules ...string) error {
	out, err := exec.Command(python, "-c", "import "+strings.Join(modules, ", ")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s cannot import %s (apt-get install python3-opencv python3-grpcio python3-grpc-tools python3-numpy): %s",
			python, strings.Join(modules, ", "), strings.TrimSpace(LastLine(string(out))))
	}
	return nil
}

// LastLine is the last non-empty line of s.
func LastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// Package scalefig measures framewire-bench's figures l to n: the CPU a
// frame costs against the machine's floor, many streams on one server,
// and many live cameras on one server.
package scalefig

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/framewire/framewire/cmd/framewire-bench/internal/rig"
	"github.com/framewire/framewire/internal/serverproc"
	"github.com/framewire/framewire/server/detect"
)

// Bench measures the figures on the run's shared bench.
type Bench struct{ *rig.Bench }

// binaries builds framewire-server and framewire-capture into dir.
func binaries(ctx context.Context, dir string) (srv, capture string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("make %s: %w", dir, err)
	}
	if srv, err = serverproc.Build(ctx, dir); err != nil {
		return "", "", err
	}
	capture, err = rig.GoBuild(ctx, dir, "cmd/framewire-capture")
	return srv, capture, err
}

// startServer starts framewire-server writing to out with model m (its
// defaults otherwise) and args added.
func (b *Bench) startServer(ctx context.Context, bin, out string, m rig.ModelSpec, args ...string) (*serverproc.Proc, error) {
	a := []string{"--out", out, "--model", m.Cfg.Kind, "--workers", strconv.Itoa(b.O.Workers)}
	if m.Cfg.ModelFile != "" {
		a = append(a, "--model-file", m.Cfg.ModelFile)
	}
	return serverproc.Start(ctx, bin, append(a, args...)...)
}

// captureRun is one framewire-capture run of a file to its end.
type captureRun struct {
	frames    int     // lines written
	fps       float64 // frames over the client's wall time
	clientCPU float64 // the client's CPU time, ms
}

// runCapture streams video through the capture binary to srv, whose
// output is out, under a new name, and leaves that output to the caller.
func (b *Bench) runCapture(ctx context.Context, bin string, srv *serverproc.Proc, out, name, video string) (captureRun, error) {
	wall, cpu, _, err := rig.RunCPU(ctx, bin, "--server", srv.Addr, "--source", video, "--name", name, "--quiet")
	if err != nil {
		return captureRun{}, err
	}
	n, err := rig.CountLines(filepath.Join(out, name, "predictions.jsonl"))
	if err != nil {
		return captureRun{}, err
	}
	return captureRun{frames: n, fps: float64(n) / wall.Seconds(), clientCPU: ms(cpu)}, nil
}

// nanodet320 is the project's NanoDet-320 on the default engine.
func (b *Bench) nanodet320() (rig.ModelSpec, error) {
	m, err := rig.Nanodet("nanodet-320", b.O.Model320)
	m.Cfg.Engine = detect.EngineDefault
	return m, err
}

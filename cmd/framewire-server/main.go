// Command framewire-server serves the ImageProcedure gRPC service: the
// tutorial's ImageMeanWH and the StreamFrames call that runs a detector on
// every frame and writes annotated JPEGs and predictions.jsonl under --out.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/framewire/framewire/internal/cli"
	"github.com/framewire/framewire/server/detect"
)

func main() {
	cli.HalveGoProcs(os.Getenv)
	cli.Main("framewire-server", run)
}

// run serves until ctx ends, then drains: running streams get up to
// --drain to finish before they are cut.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	switch {
	case o.version:
		fmt.Fprint(stdout, cli.Version("framewire-server", detect.LibraryVersions(o.ortLib)...))
		return cli.ErrVersion
	case o.healthProbe != "":
		return probeHealth(ctx, o, stdout)
	}
	stop, err := startCPUProfile(o.cpuProfile)
	if err != nil {
		return err
	}
	return errors.Join(serve(ctx, o, newLogger(o, stderr)), stop())
}

// startCPUProfile profiles the process into path until the returned
// function is called; nothing when path is empty.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// newLogger logs text or JSON lines at --log-level and above.
func newLogger(o *options, stderr io.Writer) *slog.Logger {
	level, _ := parseLogLevel(o.logLevel) // checked with the flags
	opts := &slog.HandlerOptions{Level: level}
	if o.logJSON {
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}

// parseLogLevel reads debug, info, warn or error.
func parseLogLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return l, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

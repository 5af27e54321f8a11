// Command framewire-capture streams a webcam, video file, URL or GStreamer
// pipeline to a framewire server over one long-lived gRPC call and prints
// the server's per-frame predictions.
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/cmd/internal/cli"
)

func main() {
	capture.QuietLibraryLogs()
	cli.Main("framewire-capture", run)
}

// run streams one source until it ends, or until ctx ends, after which it
// stops reading, waits for the results of what it sent and returns. It
// returns nil only when the stream completed.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.version {
		fmt.Fprint(stdout, cli.Version("framewire-capture", capture.LibraryVersions()...))
		return cli.ErrVersion
	}
	return streamSource(ctx, o, stdout, stderr)
}

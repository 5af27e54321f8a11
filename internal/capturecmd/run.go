// Package capturecmd is the framewire-capture command: its flags, the
// stream of one source to a server, and what it prints. The command's main
// calls Run; the system tests in e2e call it in-process.
package capturecmd

import (
	"context"
	"fmt"
	"io"

	"github.com/framewire/framewire/capture"
	"github.com/framewire/framewire/internal/cli"
)

// Run streams one source until it ends, or until ctx ends, after which it
// stops reading, waits for the results of what it sent and returns. It
// returns nil only when the stream completed.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
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

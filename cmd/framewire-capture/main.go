// Command framewire-capture streams a webcam, video file, URL or GStreamer
// pipeline to a framewire server over one long-lived gRPC call and prints
// the server's per-frame predictions.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal the client finishes gracefully; a second
		// one kills it the default way.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "framewire-capture:", err)
		}
		os.Exit(1)
	}
}

// run streams one source until it ends, or until ctx ends, after which it
// stops reading, waits for the results of what it sent and returns. It
// returns nil only when the stream completed.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	return streamSource(ctx, o, stdout, stderr)
}

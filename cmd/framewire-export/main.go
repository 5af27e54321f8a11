// Command framewire-export turns a stream folder's predictions.jsonl into
// the formats other tools read: COCO results JSON, YOLO txt labels,
// MOTChallenge det.txt and CSV.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/framewire/framewire/cmd/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if !cli.Silent(err) {
		fmt.Fprintln(os.Stderr, "framewire-export:", err)
	}
	os.Exit(cli.ExitCode(err))
}

// run exports the stream folder the arguments name.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.version {
		fmt.Fprint(stdout, cli.Version("framewire-export"))
		return cli.ErrVersion
	}
	recs, err := readRecords(o.dir)
	if err != nil {
		return err
	}
	return export(ctx, o, recs, stdout)
}

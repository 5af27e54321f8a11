// Command framewire-export turns a stream folder's predictions.jsonl into
// the formats other tools read: COCO results JSON, YOLO txt labels,
// MOTChallenge det.txt and CSV; and its video segments into one MP4.
package main

import (
	"context"
	"fmt"
	"io"

	"github.com/framewire/framewire/internal/cli"
)

func main() {
	cli.Main("framewire-export", run)
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
	if o.format == formatMP4 {
		return exportMP4(ctx, o, stdout)
	}
	if o.format == formatEventsCSV || o.format == formatCountsCSV {
		return exportEvents(ctx, o, stdout)
	}
	recs, err := readRecords(o.dir)
	if err != nil {
		return err
	}
	return export(ctx, o, recs, stdout)
}

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/framewire/framewire/stream"
)

// export writes recs in o.format.
func export(ctx context.Context, o *options, recs []stream.Record, stdout io.Writer) error {
	if o.format == formatYOLO {
		dir := o.out
		if dir == "" {
			dir = filepath.Join(o.dir, "labels")
		}
		return writeYOLO(ctx, dir, recs)
	}
	return toFile(o.out, stdout, func(w io.Writer) error {
		switch o.format {
		case formatCOCO:
			return writeCOCO(w, recs)
		case formatMOT:
			return writeMOT(w, recs)
		}
		return writeCSV(w, recs)
	})
}

// toFile runs write on path (created) or, for "", on stdout, buffered.
func toFile(path string, stdout io.Writer, write func(io.Writer) error) error {
	out := stdout
	var f *os.File
	if path != "" {
		var err error
		if f, err = os.Create(path); err != nil {
			return fmt.Errorf("create output: %w", err)
		}
		defer f.Close()
		out = f
	}
	bw := bufio.NewWriter(out)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/framewire/framewire/proto/record"
)

// export writes recs in o.format.
func export(ctx context.Context, o *options, recs []record.Frame, stdout io.Writer) error {
	if o.format == formatYOLO {
		return writeYOLO(ctx, yoloDir(o), recs)
	}
	write := writerOf(o.format)
	return toFile(o.out, stdout, func(w io.Writer) error { return write(w, recs) })
}

// yoloDir is the folder YOLO labels go to: --out, or the stream folder's
// labels.
func yoloDir(o *options) string {
	if o.out == "" {
		return filepath.Join(o.dir, "labels")
	}
	return o.out
}

// writerOf is the writer of a single-file format.
func writerOf(format string) func(io.Writer, []record.Frame) error {
	switch format {
	case formatCOCO:
		return writeCOCO
	case formatMOT:
		return writeMOT
	}
	return writeCSV
}

// toFile runs write on path (created) or, for "", on stdout, buffered.
func toFile(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" {
		return writeBuffered(stdout, write)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create output: %w", err)
	}
	defer f.Close()
	if err := writeBuffered(f, write); err != nil {
		return err
	}
	return f.Close()
}

// writeBuffered runs write on a buffer over out and flushes it.
func writeBuffered(out io.Writer, write func(io.Writer) error) error {
	bw := bufio.NewWriter(out)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

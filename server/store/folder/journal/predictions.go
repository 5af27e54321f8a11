package journal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path"
	"strings"

	"github.com/framewire/framewire/internal/rootfile"
)

// span is a stretch of the predictions file: a damaged line (numbered
// from 1) or the lines kept around them.
type span struct {
	off, n, line int64
}

// scanned is what reading the predictions file found besides its
// records: its damaged lines and where its complete lines end.
type scanned struct {
	bad []span
	end int64
}

// loadPredictions opens dir's predictions file in root and reads what it
// records: after its checkpoint when that fits, else all of it. Damaged
// lines are set aside (heal) and a torn last line (a crash in the middle
// of a write) is cut; the offset is left at the end for appending. The
// temporary files a crash left are removed, unless the checkpoint says the
// last call closed cleanly.
func loadPredictions(root *os.Root, dir string, log *slog.Logger) (*os.File, *recorded, error) {
	f, err := root.OpenFile(path.Join(dir, FileName), os.O_RDWR|os.O_CREATE, rootfile.FileMode)
	if err != nil {
		return nil, nil, fmt.Errorf("open predictions file: %w", rootfile.ExplainLinks(root, err))
	}
	rec, clean := startFrom(root, dir, f)
	if !clean {
		sweepTemps(root, dir)
	}
	f, err = readPredictions(root, dir, f, rec, log)
	if err != nil {
		return nil, nil, err
	}
	return f, rec, nil
}

// startFrom is what f records up to where its checkpoint ends (nothing
// when none fits); clean says the checkpoint fits exactly and its call
// left no temporary files.
func startFrom(root *os.Root, dir string, f *os.File) (*recorded, bool) {
	c, ok := readCheckpoint(root, dir)
	if !ok {
		return &recorded{}, false
	}
	switch c.fits(f) {
	case fitExact:
		return c.recorded(), c.Clean
	case fitPrefix:
		return c.recorded(), false
	}
	return &recorded{}, false
}

// readPredictions reads f's lines after rec into rec, heals or cuts what
// is damaged and returns the file to append to (f, or its healed copy).
// f is closed on failure.
func readPredictions(root *os.Root, dir string, f *os.File, rec *recorded, log *slog.Logger) (*os.File, error) {
	sc, err := scanLines(f, rec)
	if err == nil && len(sc.bad) > 0 {
		var healed *os.File
		if healed, err = heal(root, dir, f, sc, log); err == nil {
			f.Close()
			f = healed
		}
	}
	if err == nil {
		err = cutTo(f, rec.size)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", FileName, err)
	}
	return f, nil
}

// scanLines reads the lines of f after those rec holds into rec. A line
// that is not a frame's record, or repeats a frame, is damaged; a last
// line without its newline is left out.
func scanLines(f *os.File, rec *recorded) (scanned, error) {
	sc := scanned{end: rec.size}
	r := bufio.NewReaderSize(io.NewSectionReader(f, rec.size, math.MaxInt64-rec.size), 1<<16)
	for {
		line, err := r.ReadBytes('\n')
		if n := len(line); n > 0 && line[n-1] == '\n' {
			if l, ok := parseLine(line); ok && !rec.has(l.Seq) {
				rec.add(l, line)
			} else {
				sc.bad = append(sc.bad, span{off: sc.end, n: int64(n), line: rec.lines + int64(len(sc.bad)) + 1})
			}
			sc.end += int64(n)
		}
		if errors.Is(err, io.EOF) {
			return sc, nil
		}
		if err != nil {
			return sc, err
		}
	}
}

// cutTo cuts f back to size when it is longer (a torn last line) and
// leaves the offset there.
func cutTo(f *os.File, size int64) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() > size {
		if err := f.Truncate(size); err != nil {
			return fmt.Errorf("cut torn line: %w", err)
		}
	}
	_, err = f.Seek(size, io.SeekStart)
	return err
}

// sweepTemps removes the temporary files a crash left in root's dir.
func sweepTemps(root *os.Root, dir string) {
	d, err := root.Open(dir)
	if err != nil {
		return
	}
	defer d.Close()
	for {
		names, err := d.Readdirnames(4096)
		for _, n := range names {
			if strings.HasPrefix(n, rootfile.TmpPrefix) {
				_ = root.Remove(path.Join(dir, n)) // best effort: a leftover is only garbage
			}
		}
		if err != nil {
			return
		}
	}
}

// Package eventlog keeps a stream folder's events.jsonl: one event a
// line, in frame order, each append synced before it returns. The file
// is a function of the frames recorded in predictions.jsonl, so opening
// it compares it with the events those frames give: the lines that match
// stay untouched, a damaged or extra tail (a crash in the middle of a
// write, or events of a frame whose line did not survive) is cut, and the
// missing events are appended.
package eventlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path"

	"github.com/framewire/framewire/internal/rootfile"
	"github.com/framewire/framewire/proto/record"
)

// Log is one stream folder's events file, open for appending. Its methods
// are called from one goroutine.
type Log struct {
	f    *os.File
	size int64
	crc  uint32 // CRC-32C of the file's size bytes
}

// Prefix is the start of the file: its length and CRC-32C (Castagnoli).
type Prefix struct {
	Size int64
	CRC  uint32
}

// crcTable is CRC-32C's, the checksum checkpoints keep.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Open opens (creating it) root's dir/events.jsonl and makes it hold
// exactly want after from, a prefix the caller checked (the zero Prefix:
// the whole file): see the package doc. log hears what was cut.
func Open(root *os.Root, dir string, from Prefix, want []record.Event, log *slog.Logger) (*Log, error) {
	f, err := root.OpenFile(path.Join(dir, record.EventsFile), os.O_RDWR|os.O_CREATE, rootfile.FileMode)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", record.EventsFile, rootfile.ExplainLinks(root, err))
	}
	l := &Log{f: f, size: from.Size, crc: from.CRC}
	if _, err := f.Seek(from.Size, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s after byte %d: %w", record.EventsFile, from.Size, err)
	}
	if err := l.reconcile(want, dir, log); err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

// reconcile keeps the file's lines (after l.size) that match want's
// first events, cuts the rest and appends the events after them.
func (l *Log) reconcile(want []record.Event, dir string, log *slog.Logger) error {
	kept, matched, total, err := l.matching(want)
	if err != nil {
		return err
	}
	if total > int64(matched) {
		log.Warn("events.jsonl: cut the lines past those of the recorded frames (a torn or lost tail); their events follow again",
			"stream", dir, "kept", matched, "cut", total-int64(matched))
	}
	kept += l.size
	if err := l.f.Truncate(kept); err != nil {
		return fmt.Errorf("cut %s: %w", record.EventsFile, err)
	}
	if _, err := l.f.Seek(kept, io.SeekStart); err != nil {
		return err
	}
	l.size = kept
	return l.Append(want[matched:])
}

// matching reads the file's lines, from where it is, while they are
// want's events, byte for byte: it returns their length in bytes, how
// many matched and how many lines (complete or not) are left, and adds
// the matching lines to l.crc.
func (l *Log) matching(want []record.Event) (size int64, matched int, lines int64, err error) {
	r := bufio.NewReaderSize(l.f, 1<<16)
	same := true
	for {
		line, rerr := r.ReadBytes('\n')
		if len(line) > 0 {
			lines++
			if same && matched < len(want) && line[len(line)-1] == '\n' && bytes.Equal(line, encode(want[matched])) {
				size += int64(len(line))
				matched++
				l.crc = crc32.Update(l.crc, crcTable, line)
			} else {
				same = false
			}
		}
		if errors.Is(rerr, io.EOF) {
			return size, matched, lines, nil
		}
		if rerr != nil {
			return 0, 0, 0, fmt.Errorf("read %s: %w", record.EventsFile, rerr)
		}
	}
}

// encode is e's line, with its newline.
func encode(e record.Event) []byte {
	b, _ := json.Marshal(e) // plain fields: cannot fail
	return append(b, '\n')
}

// Append writes evs, one line each, in one write, and syncs the file; a
// failed write is cut back, so the file never keeps half a line.
func (l *Log) Append(evs []record.Event) error {
	if len(evs) == 0 {
		return nil
	}
	var buf []byte
	for _, e := range evs {
		buf = append(buf, encode(e)...)
	}
	_, err := l.f.Write(buf)
	if err == nil {
		err = l.f.Sync()
	}
	if err != nil {
		if terr := l.f.Truncate(l.size); terr == nil {
			_, _ = l.f.Seek(l.size, io.SeekStart)
		}
		return fmt.Errorf("append to %s: %w", record.EventsFile, err)
	}
	l.size += int64(len(buf))
	l.crc = crc32.Update(l.crc, crcTable, buf)
	return nil
}

// Mark is the file's length and CRC-32C, all of it synced.
func (l *Log) Mark() Prefix { return Prefix{Size: l.size, CRC: l.crc} }

// Close closes the file.
func (l *Log) Close() error { return l.f.Close() }

package delivery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"

	"github.com/framewire/framewire/internal/rootfile"
	"github.com/framewire/framewire/proto/record"
)

// cursor is how far a sink got in a stream's events.jsonl, kept in
// <stream>/.delivery/<sink>.json: every line before Offset was delivered
// (or skipped as rejected or invalid). LastID is the last event
// delivered, its line starting at LastStart: if that line no longer
// holds it (the file was healed or rewritten), delivery goes on after the
// line that does, or from the start when none does.
type cursor struct {
	Offset    int64  `json:"offset"`
	LastStart int64  `json:"last_start"`
	LastID    string `json:"last_id,omitempty"`
}

// cursorName is the sink's cursor file in stream's folder.
func cursorName(stream, sink string) string {
	return path.Join(stream, CursorDir, sink+".json")
}

// loadCursor reads the sink's cursor of stream (zero when there is none)
// and checks it against events.jsonl as cursor's comment says.
func loadCursor(root *os.Root, stream, sink string, size int64) (cursor, error) {
	var c cursor
	b, err := root.ReadFile(cursorName(stream, sink))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return cursor{}, nil
	case err != nil:
		return c, fmt.Errorf("read %s cursor of stream %q: %w", sink, stream, err)
	case json.Unmarshal(b, &c) != nil || c.Offset < 0 || c.LastStart < 0:
		return cursor{}, nil // damaged: everything again, with the same ids
	}
	return c.check(root, stream, size)
}

// check returns c when the file still holds c.LastID at c.LastStart and
// reaches c.Offset, else the cursor after the line holding c.LastID, else
// the start.
func (c cursor) check(root *os.Root, stream string, size int64) (cursor, error) {
	if c.LastID == "" {
		if c.Offset > size {
			return cursor{}, nil
		}
		return c, nil
	}
	lines, err := readLines(root, stream, c.LastStart, nil)
	if err != nil {
		return c, err
	}
	if len(lines) > 0 && lines[0].ok && lines[0].ev.ID == c.LastID && c.Offset <= size && c.Offset >= lines[0].end {
		return c, nil
	}
	l, found, err := findID(root, stream, c.LastID)
	if err != nil || !found {
		return cursor{}, err
	}
	return cursor{Offset: l.end, LastStart: l.start, LastID: c.LastID}, nil
}

// save writes c atomically as the sink's cursor of stream.
func (c cursor) save(root *os.Root, stream, sink string) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	dir := path.Join(stream, CursorDir)
	if err := root.Mkdir(dir, rootfile.DirMode); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("make cursor folder of stream %q: %w", stream, err)
	}
	if err := rootfile.WriteAtomic(root, dir, sink+".json", b); err != nil {
		return fmt.Errorf("write %s cursor of stream %q: %w", sink, stream, err)
	}
	return nil
}

// holds says whether root's stream/events.jsonl still ends a line at
// c.Offset and holds c.LastID's line at c.LastStart: false when the file
// was cut and written again since (a healed tail) with other bytes.
func (c cursor) holds(root *os.Root, stream string) bool {
	if c.Offset == 0 {
		return true
	}
	f, err := root.Open(path.Join(stream, record.EventsFile))
	if err != nil {
		return false
	}
	defer f.Close()
	var last [1]byte
	if _, err := f.ReadAt(last[:], c.Offset-1); err != nil || last[0] != '\n' {
		return false
	}
	if c.LastID == "" {
		return true
	}
	b := make([]byte, min(c.Offset-c.LastStart, maxLine+1))
	if _, err := f.ReadAt(b, c.LastStart); err != nil {
		return false
	}
	end := bytes.IndexByte(b, '\n')
	ev, ok := parseEvent(b[:max(end, 0)])
	return end >= 0 && ok && ev.ID == c.LastID
}

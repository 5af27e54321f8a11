package delivery

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	"github.com/framewire/framewire/proto/record"
)

// Bounds of one batch read from events.jsonl: what is held in memory at
// once per sink.
const (
	maxBatchEvents = 256
	maxBatchBytes  = 4 << 20
	// maxLine is the longest line sent; a longer one is skipped as
	// invalid.
	maxLine = 1 << 20
)

// line is one complete line of events.jsonl: its bytes [start, end), end
// just after its newline, and the event in it (ok false: not an event).
type line struct {
	start, end int64
	ev         Event
	ok         bool
}

// errReplaced says the events file is no longer the one whose offsets
// the cursor counts.
var errReplaced = errors.New("events file replaced meanwhile")

// readLines reads the complete lines of root's stream/events.jsonl from
// off on, at most maxBatchEvents and about maxBatchBytes; a last line
// without its newline yet is left for later. With was set, the file must
// still be that one (else errReplaced: off may fall mid-line in another).
func readLines(root *os.Root, stream string, off int64, was os.FileInfo) ([]line, error) {
	f, err := root.Open(path.Join(stream, record.EventsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if was != nil {
		if now, err := f.Stat(); err != nil || !os.SameFile(now, was) {
			return nil, errReplaced
		}
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, fmt.Errorf("seek %s of stream %q: %w", record.EventsFile, stream, err)
	}
	r := bufio.NewReaderSize(f, 64<<10)
	var lines []line
	for size := 0; len(lines) < maxBatchEvents && size < maxBatchBytes; {
		b, n, err := readLine(r)
		if err != nil {
			return lines, ignoreEOF(err)
		}
		l := line{start: off, end: off + n}
		l.ev, l.ok = parseEvent(b)
		if l.ok && l.ev.Stream == "" {
			l.ev.Stream = stream
		}
		lines, off, size = append(lines, l), l.end, size+len(b)
	}
	return lines, nil
}

// readLine reads one line ending in '\n' and returns it without the
// newline (nil when it is longer than maxLine) and its length on disk.
// io.EOF: no complete line is left.
func readLine(r *bufio.Reader) ([]byte, int64, error) {
	var b []byte
	var n int64
	for {
		chunk, err := r.ReadSlice('\n')
		n += int64(len(chunk))
		if n <= maxLine+1 {
			b = append(b, chunk...) // a copy: chunk is the reader's buffer
		}
		switch {
		case err == nil && n > maxLine+1:
			return nil, n, nil
		case err == nil:
			return b[:len(b)-1], n, nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return nil, 0, err
		}
	}
}

func ignoreEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// parseEvent reads a line's id, stream and kind; ok is false for a line
// that is not a JSON object with a non-empty string id.
func parseEvent(b []byte) (Event, bool) {
	var head struct {
		ID     string `json:"id"`
		Stream string `json:"stream"`
		Kind   string `json:"kind"`
	}
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) == 0 || json.Unmarshal(b, &head) != nil || head.ID == "" {
		return Event{}, false
	}
	return Event{ID: head.ID, Stream: head.Stream, Kind: head.Kind, Line: b}, true
}

// findID returns the first complete line of root's stream/events.jsonl
// whose event has id; found false when none has.
func findID(root *os.Root, stream, id string) (l line, found bool, err error) {
	for off := int64(0); ; {
		lines, err := readLines(root, stream, off, nil)
		if err != nil || len(lines) == 0 {
			return line{}, false, err
		}
		for _, l := range lines {
			if l.ok && l.ev.ID == id {
				return l, true, nil
			}
		}
		off = lines[len(lines)-1].end
	}
}

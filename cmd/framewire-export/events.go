package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/framewire/framewire/proto/record"
)

// Formats of a stream's events (events.jsonl) rather than its detections.
const (
	formatEventsCSV = "events-csv"
	formatCountsCSV = "counts-csv"
)

// exportEvents writes the events of o.dir's events.jsonl, or their counts
// per rule and class, as CSV.
func exportEvents(_ context.Context, o *options, stdout io.Writer) error {
	evs, err := readEvents(o.dir)
	if err != nil {
		return err
	}
	write := writeEventsCSV
	if o.format == formatCountsCSV {
		write = writeCountsCSV
	}
	return toFile(o.out, stdout, func(w io.Writer) error { return write(w, evs) })
}

// readEvents reads dir/events.jsonl, in file (frame) order.
func readEvents(dir string) ([]record.Event, error) {
	f, err := os.Open(filepath.Join(dir, record.EventsFile))
	if err != nil {
		return nil, fmt.Errorf("read stream folder (a stream counted with --zones has %s): %w", record.EventsFile, err)
	}
	defer f.Close()
	var evs []record.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	for n := 1; sc.Scan(); n++ {
		var e record.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", f.Name(), n, err)
		}
		evs = append(evs, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return evs, nil
}

var eventsHeader = []string{"id", "stream", "kind", "rule", "direction", "seq", "position_us", "capture_unix_nano",
	"source", "track_id", "previous_track_ids", "label", "x", "y", "since_seq", "entered_seq", "dwell_frames", "dwell_ms", "lost"}

// writeEventsCSV writes a header and one row per event.
func writeEventsCSV(w io.Writer, evs []record.Event) error {
	cw := csv.NewWriter(w)
	cw.Write(eventsHeader)
	for _, e := range evs {
		prev := ""
		for i, id := range e.PreviousTrackIDs {
			if i > 0 {
				prev += " "
			}
			prev += strconv.FormatInt(id, 10)
		}
		cw.Write([]string{e.ID, e.Stream, e.Kind, e.Rule, e.Direction, strconv.FormatInt(e.Seq, 10), optInt(e.PositionUs),
			strconv.FormatInt(e.CaptureUnixNano, 10), e.Source, strconv.FormatInt(e.TrackID, 10), prev, e.Label,
			num(e.Point[0], 1), num(e.Point[1], 1), strconv.FormatInt(e.SinceSeq, 10),
			optInt(e.EnteredSeq), optInt(e.DwellFrames), optInt(e.DwellMs), strconv.FormatBool(e.Lost)})
	}
	return flushCSV(cw)
}

// writeCountsCSV writes the counts of evs per line and zone and class.
func writeCountsCSV(w io.Writer, evs []record.Event) error {
	var t record.Tally
	for _, e := range evs {
		t.Add(e)
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"kind", "rule", "label", "in", "out", "entered", "left", "inside"})
	for _, c := range t.Counts() {
		cw.Write([]string{c.Kind, c.Rule, c.Label, itoa(c.In), itoa(c.Out), itoa(c.Entered), itoa(c.Left), itoa(c.Inside)})
	}
	return flushCSV(cw)
}

func flushCSV(cw *csv.Writer) error {
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func optInt(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}

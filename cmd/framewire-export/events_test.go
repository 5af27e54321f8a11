package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/framewire/framewire/proto/record"
)

// eventsFolder is a stream folder with an events.jsonl: one in, two out
// through the door, one visit of the counter (entered, left after 25
// frames) and one still going.
func eventsFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entered, dwell, ms := int64(10), int64(25), int64(1000)
	evs := []record.Event{
		{ID: "a1", Stream: "cam", Kind: record.KindLineCrossed, Rule: "door", Direction: record.DirectionIn, Seq: 3, TrackID: 1, Label: "person"},
		{ID: "a2", Stream: "cam", Kind: record.KindZoneEntered, Rule: "counter", Seq: 12, TrackID: 1, Label: "person", SinceSeq: 10},
		{ID: "a3", Stream: "cam", Kind: record.KindLineCrossed, Rule: "door", Direction: record.DirectionOut, Seq: 20, TrackID: 2, Label: "person"},
		{ID: "a4", Stream: "cam", Kind: record.KindZoneLeft, Rule: "counter", Seq: 37, TrackID: 4, PreviousTrackIDs: []int64{1}, Label: "person",
			SinceSeq: 35, EnteredSeq: &entered, DwellFrames: &dwell, DwellMs: &ms},
		{ID: "a5", Stream: "cam", Kind: record.KindLineCrossed, Rule: "door", Direction: record.DirectionOut, Seq: 40, TrackID: 5, Label: "car"},
		{ID: "a6", Stream: "cam", Kind: record.KindZoneEntered, Rule: "counter", Seq: 41, TrackID: 6, Label: "person", SinceSeq: 39},
	}
	var b strings.Builder
	for _, e := range evs {
		line, _ := json.Marshal(e)
		b.Write(append(line, '\n'))
	}
	if err := os.WriteFile(filepath.Join(dir, record.EventsFile), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestExportEventsAndCounts(t *testing.T) {
	dir := eventsFolder(t)
	lines := strings.Split(strings.TrimSpace(exported(t, "--format", "events-csv", dir)), "\n")
	if len(lines) != 7 || !strings.HasPrefix(lines[0], "id,stream,kind,rule,direction,seq,") {
		t.Fatalf("events-csv: %d lines starting %q, want the header and 6 rows", len(lines), lines[0])
	}
	if want := "a4,cam,zone_left,counter,,37,,0,,4,1,person,0.0,0.0,35,10,25,1000,false"; lines[4] != want {
		t.Errorf("events-csv row 4 %q, want %q", lines[4], want)
	}
	counts := strings.TrimSpace(exported(t, "--format", "counts-csv", dir))
	want := strings.Join([]string{
		"kind,rule,label,in,out,entered,left,inside",
		"line,door,car,0,1,0,0,0",
		"line,door,person,1,1,0,0,0",
		"zone,counter,person,0,0,2,1,1",
	}, "\n")
	if counts != want {
		t.Errorf("counts-csv:\n%s\nwant:\n%s", counts, want)
	}
}

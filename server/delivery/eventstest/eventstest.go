// Package eventstest writes synthetic events files and checks what a
// receiver got, for the tests of event delivery.
package eventstest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// ID is the id of stream's event number i.
func ID(stream string, i int) string { return fmt.Sprintf("%s-%06d", stream, i) }

// Line is stream's event number i as a line of events.jsonl.
func Line(stream string, i int) string {
	b, _ := json.Marshal(map[string]any{"id": ID(stream, i), "stream": stream, "kind": "line_crossed", "frame": i})
	return string(b) + "\n"
}

// Append appends stream's events from..to-1 to outDir/stream/events.jsonl,
// synced, and returns their ids.
func Append(tb testing.TB, outDir, stream string, from, to int) []string {
	tb.Helper()
	if err := os.MkdirAll(filepath.Join(outDir, stream), 0o777); err != nil {
		tb.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(outDir, stream, "events.jsonl"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var ids []string
	for i := from; i < to; i++ {
		if _, err := f.WriteString(Line(stream, i)); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, ID(stream, i))
	}
	if err := f.Sync(); err != nil {
		tb.Fatal(err)
	}
	return ids
}

// Missing lists the ids of want that got lacks.
func Missing(got, want []string) []string {
	have := map[string]bool{}
	for _, id := range got {
		have[id] = true
	}
	var missing []string
	for _, id := range want {
		if !have[id] {
			missing = append(missing, id)
		}
	}
	return missing
}

// CheckAll fails unless got (ids in the order they arrived, repeats
// allowed) holds every id of want, first arrivals in want's order, and
// nothing else.
func CheckAll(tb testing.TB, got, want []string) {
	tb.Helper()
	if m := Missing(got, want); len(m) > 0 {
		tb.Fatalf("%d of %d events never arrived, first %q (got %d deliveries)", len(m), len(want), m[0], len(got))
	}
	var first []string
	seen := map[string]bool{}
	for _, id := range got {
		if !seen[id] {
			seen[id] = true
			first = append(first, id)
		}
	}
	if !slices.Equal(first, want) {
		tb.Fatalf("first arrivals are not the events' order (or hold other ids):\ngot  %q\nwant %q", first, want)
	}
}

// OfStream keeps the ids of got that are stream's (as ID makes them).
func OfStream(got []string, stream string) []string {
	var out []string
	for _, id := range got {
		if len(id) > len(stream) && id[:len(stream)+1] == stream+"-" {
			out = append(out, id)
		}
	}
	return out
}

// Ids are the ids of stream's events from..to-1.
func Ids(stream string, from, to int) []string {
	var ids []string
	for i := from; i < to; i++ {
		ids = append(ids, ID(stream, i))
	}
	return ids
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunTiny runs the whole command on a few frames with the mean model:
// a, b, c and f are measured (f on the real server binary), d and e say
// they are skipped without NanoDet files.
func TestRunTiny(t *testing.T) {
	if _, err := os.Stat(vtestAVI); err != nil {
		t.Skipf("%s not found (install opencv-doc): %v", vtestAVI, err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "bench.json")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{
		"--frames", "6", "--rounds", "1", "--model-320", "", "--model-416", "",
		"--meanwh-duration", "50ms", "--mem-base", "3", "--mem-frames", "6",
		"--json-out", out, "--tmp", dir, "--scripts", filepath.Join("..", "..", "scripts", "bench"),
		"--proto", filepath.Join("..", "..", "proto", "image_procedure.proto"),
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	t.Logf("\n%s", &stdout)
	var rep report
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, f := range rep.Figures {
		count[f.ID]++
		if f.Skipped == "" && !(f.Value > 0) {
			t.Errorf("figure %s %q has value %v", f.ID, f.Title, f.Value)
		}
	}
	// a: nanodet skipped + mean; b: skipped + 2 mean; c: 2; d, e: skipped;
	// f: 1; h, i: skipped (no NanoDet); j: 1, measured or skipped without
	// Debian's Python.
	want := map[string]int{"a": 2, "b": 3, "c": 2, "d": 1, "e": 1, "f": 1, "h": 1, "i": 1, "j": 1}
	for id, n := range want {
		if count[id] != n {
			t.Errorf("%d figures %s, want %d (all: %v)", count[id], id, n, count)
		}
	}
	if lines := strings.Count(stdout.String(), "\n"); lines != len(rep.Figures)+2 {
		t.Errorf("printed %d lines for %d figures, a header and a footer:\n%s", lines, len(rep.Figures), &stdout)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the run left %v in its temp folder", entries)
	}
}

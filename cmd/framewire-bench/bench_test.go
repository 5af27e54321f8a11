package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMedianAndPairedRatio(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median odd = %v, want 2", got)
	}
	in := []float64{4, 1, 3, 2}
	if got := median(in); got != 2.5 {
		t.Errorf("median even = %v, want 2.5", got)
	}
	if in[0] != 4 {
		t.Errorf("median reordered its input: %v", in)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is not NaN")
	}
	// Per-round ratios 0.5, 1.0, 0.9: the median is 0.9, where a ratio of
	// medians would say 15/20 = 0.75.
	if got := pairedRatio([]float64{5, 20, 9}, []float64{10, 20, 10}); got != 0.9 {
		t.Errorf("pairedRatio = %v, want 0.9", got)
	}
	if got := pairedRatio([]float64{1, 2}, []float64{0, 4}); got != 0.5 {
		t.Errorf("pairedRatio skipping a zero denominator = %v, want 0.5", got)
	}
}

func TestQuantile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 50 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond, 0: time.Millisecond} {
		if got := quantile(ds, q); got != want {
			t.Errorf("quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if quantile(nil, 0.5) != 0 {
		t.Error("quantile of nothing is not 0")
	}
}

func TestInterleaveOrder(t *testing.T) {
	var order []string
	mk := func(name string, v float64) func() (float64, error) {
		return func() (float64, error) { order = append(order, name); return v, nil }
	}
	s, err := interleave(3, mk("A", 1), mk("B", 2))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ""); got != "ABABAB" {
		t.Errorf("ran %s, want ABABAB", got)
	}
	if len(s) != 2 || len(s[0]) != 3 || s[1][2] != 2 {
		t.Errorf("samples %v", s)
	}
}

func TestTargetAndFigureJSON(t *testing.T) {
	f := newFigure("a", "stream overhead x", "grpc/in-process fps", 0.95, &target{">=", 0.97}, value{"grpc", 19, " fps"})
	if f.Met == nil || *f.Met {
		t.Errorf("0.95 >= 0.97 counted as met: %+v", f)
	}
	if !(target{"<=", 5}).met(4.9) || (target{"<=", 5}).met(math.NaN()) {
		t.Error("<= target wrong")
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "title", "metric", "value", "target", "met", "values"} {
		if _, ok := got[k]; !ok {
			t.Errorf("figure JSON has no %q: %s", k, b)
		}
	}
	if _, ok := got["skipped"]; ok {
		t.Errorf("a measured figure says skipped: %s", b)
	}
	if !strings.Contains(f.line(), "NOT MET") || !strings.Contains(skipped("d", "x", "no model").line(), "SKIPPED: no model") {
		t.Errorf("lines: %q", f.line())
	}
}

func TestWithoutOptional(t *testing.T) {
	in := "message M {\n  optional int64 a = 1;\n\toptional string b = 2;\n  int32 optional_c = 3;\n}\n"
	want := "message M {\n  int64 a = 1;\n\tstring b = 2;\n  int32 optional_c = 3;\n}\n"
	if got := string(withoutOptional([]byte(in))); got != want {
		t.Errorf("withoutOptional =\n%s\nwant\n%s", got, want)
	}
}

func TestRawCodec(t *testing.T) {
	req := []byte{1, 2, 3}
	got, err := rawCodec{}.Marshal(&req)
	if err != nil || string(got) != string(req) {
		t.Errorf("Marshal = %v, %v; want %v", got, err, req)
	}
	var reply []byte
	if err := (rawCodec{}).Unmarshal([]byte{4, 5}, &reply); err != nil || string(reply) != "\x04\x05" {
		t.Errorf("Unmarshal gave %v, %v; want [4 5]", reply, err)
	}
	if _, err := (rawCodec{}).Marshal("x"); err == nil {
		t.Error("Marshal of a string: no error")
	}
}

func TestParseThreadConfigs(t *testing.T) {
	cs, err := parseThreadConfigs("1x2, 2x1,1x2")
	if err != nil || len(cs) != 2 || cs[0] != (threadConfig{1, 2}) || cs[1] != (threadConfig{2, 1}) {
		t.Errorf("got %v, %v", cs, err)
	}
	for _, bad := range []string{"", "2", "0x1", "1x-1", "axb"} {
		if _, err := parseThreadConfigs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDriftWindows(t *testing.T) {
	var ss []liveSample
	for i := range 30 {
		ss = append(ss, liveSample{at: time.Duration(i) * time.Second, latency: time.Duration(i) * time.Millisecond})
	}
	first, last := driftWindows(ss, 30*time.Second)
	if len(first) != 10 || len(last) != 10 || first[9] != 9*time.Millisecond || last[0] != 20*time.Millisecond {
		t.Errorf("first %v last %v", first, last)
	}
	if f, l := driftWindows(ss, 15*time.Second); f != nil || l != nil {
		t.Error("a 15s run gave drift windows")
	}
}

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

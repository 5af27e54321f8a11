package fig

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestMedianAndPairedRatio(t *testing.T) {
	if got := Median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median odd = %v, want 2", got)
	}
	in := []float64{4, 1, 3, 2}
	if got := Median(in); got != 2.5 {
		t.Errorf("median even = %v, want 2.5", got)
	}
	if in[0] != 4 {
		t.Errorf("median reordered its input: %v", in)
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("median of nothing is not NaN")
	}
	// Per-round ratios 0.5, 1.0, 0.9: the median is 0.9, where a ratio of
	// medians would say 15/20 = 0.75.
	if got := PairedRatio([]float64{5, 20, 9}, []float64{10, 20, 10}); got != 0.9 {
		t.Errorf("pairedRatio = %v, want 0.9", got)
	}
	if got := PairedRatio([]float64{1, 2}, []float64{0, 4}); got != 0.5 {
		t.Errorf("pairedRatio skipping a zero denominator = %v, want 0.5", got)
	}
}

func TestQuantile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 50 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond, 0: time.Millisecond} {
		if got := Quantile(ds, q); got != want {
			t.Errorf("quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if Quantile(nil, 0.5) != 0 {
		t.Error("quantile of nothing is not 0")
	}
}

func TestInterleaveOrder(t *testing.T) {
	var order []string
	mk := func(name string, v float64) func() (float64, error) {
		return func() (float64, error) { order = append(order, name); return v, nil }
	}
	s, err := Interleave(3, mk("A", 1), mk("B", 2))
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
	f := NewFigure("a", "stream overhead x", "grpc/in-process fps", 0.95, &Target{">=", 0.97}, Value{"grpc", 19, " fps"})
	if f.Met == nil || *f.Met {
		t.Errorf("0.95 >= 0.97 counted as met: %+v", f)
	}
	if !(Target{"<=", 5}).Met(4.9) || (Target{"<=", 5}).Met(math.NaN()) {
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
	if !strings.Contains(f.Line(), "NOT MET") || !strings.Contains(Skipped("d", "x", "no model").Line(), "SKIPPED: no model") {
		t.Errorf("lines: %q", f.Line())
	}
}

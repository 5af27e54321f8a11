package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// value is one measured number of a figure.
type value struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// target is the bound a figure's headline number must stay within.
type target struct {
	Op    string  `json:"op"` // ">=" or "<="
	Bound float64 `json:"bound"`
}

// met says whether v is within t.
func (t target) met(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	if t.Op == "<=" {
		return v <= t.Bound
	}
	return v >= t.Bound
}

// figure is one line of the report: a headline number (usually a ratio of
// two variants measured side by side), the values behind it and, when the
// issue sets one, its target.
type figure struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Metric  string  `json:"metric,omitempty"` // what Value is, e.g. "grpc/in-process fps"
	Value   float64 `json:"value"`
	Target  *target `json:"target,omitempty"`
	Met     *bool   `json:"met,omitempty"`
	Values  []value `json:"values,omitempty"`
	Skipped string  `json:"skipped,omitempty"`
}

// newFigure returns a figure whose Met is filled in from t (nil: no target).
func newFigure(id, title, metric string, v float64, t *target, values ...value) figure {
	f := figure{ID: id, Title: title, Metric: metric, Value: v, Target: t, Values: values}
	if t != nil {
		m := t.met(v)
		f.Met = &m
	}
	return f
}

// skipped is a figure that could not be measured, and why.
func skipped(id, title, why string) figure {
	return figure{ID: id, Title: title, Skipped: why}
}

// line is the figure as one line of the printed table.
func (f figure) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-2s %-44s ", f.ID, f.Title)
	if f.Skipped != "" {
		fmt.Fprintf(&b, "SKIPPED: %s", f.Skipped)
		return b.String()
	}
	fmt.Fprintf(&b, "%-26s %8.3f", f.Metric, f.Value)
	if f.Target != nil {
		verdict := "MET"
		if !*f.Met {
			verdict = "NOT MET"
		}
		fmt.Fprintf(&b, "  target %s %s %-7s", f.Target.Op, fmtNum(f.Target.Bound), verdict)
	}
	if len(f.Values) > 0 {
		parts := make([]string, len(f.Values))
		for i, v := range f.Values {
			parts[i] = fmt.Sprintf("%s %s%s", v.Name, fmtNum(v.Value), v.Unit)
		}
		fmt.Fprintf(&b, "  | %s", strings.Join(parts, ", "))
	}
	return b.String()
}

// fmtNum prints v with about three significant digits.
func fmtNum(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

// report is the whole run, as written to --json-out.
type report struct {
	Started  time.Time `json:"started"`
	Duration float64   `json:"duration_s"`
	Host     hostInfo  `json:"host"`
	Config   options   `json:"config"`
	Figures  []figure  `json:"figures"`
}

type hostInfo struct {
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go_version"`
	CVThreads int    `json:"opencv_threads"`
	// LoadAvg is /proc/loadavg at the start and at the end: a busy shared
	// machine shows here.
	LoadAvg [2]string `json:"loadavg"`
}

// loadAvg returns the first three fields of /proc/loadavg, or "" on error.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// writeJSON writes r, indented, to path.
func writeJSON(path string, r *report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// printer prints figures as they are measured.
type printer struct{ w io.Writer }

func (p printer) figure(f figure) { fmt.Fprintln(p.w, f.line()) }

// median returns the median of xs (NaN when empty), without changing xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// pairedRatio is the median over rounds of num[i]/den[i]: each round's two
// variants ran next to each other, so their ratio cancels most of the drift
// of a shared machine.
func pairedRatio(num, den []float64) float64 {
	n := min(len(num), len(den))
	rs := make([]float64, 0, n)
	for i := range n {
		if den[i] > 0 {
			rs = append(rs, num[i]/den[i])
		}
	}
	return median(rs)
}

// quantile returns the q-quantile (nearest rank) of ds, 0 when empty.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// interleave runs each variant once per round, in turn (A B A B ...), and
// returns each variant's samples, one per round.
func interleave(rounds int, variants ...func() (float64, error)) ([][]float64, error) {
	out := make([][]float64, len(variants))
	for range rounds {
		for i, v := range variants {
			x, err := v()
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], x)
		}
	}
	return out, nil
}

// Package fig is framewire-bench's figures: a line of the report with its
// values and target, how it prints, and the statistics behind it.
package fig

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// Value is one measured number of a figure.
type Value struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// Target is the bound a figure's headline number must stay within.
type Target struct {
	Op    string  `json:"op"` // ">=" or "<="
	Bound float64 `json:"bound"`
}

// Met says whether v is within t.
func (t Target) Met(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	if t.Op == "<=" {
		return v <= t.Bound
	}
	return v >= t.Bound
}

// Figure is one line of the report: a headline number (usually a ratio of
// two variants measured side by side), the values behind it and, when the
// issue sets one, its target.
type Figure struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Metric  string  `json:"metric,omitempty"` // what Value is, e.g. "grpc/in-process fps"
	Value   float64 `json:"value"`
	Target  *Target `json:"target,omitempty"`
	Met     *bool   `json:"met,omitempty"`
	Values  []Value `json:"values,omitempty"`
	Skipped string  `json:"skipped,omitempty"`
}

// NewFigure returns a figure whose Met is filled in from t (nil: no target).
func NewFigure(id, title, metric string, v float64, t *Target, values ...Value) Figure {
	f := Figure{ID: id, Title: title, Metric: metric, Value: v, Target: t, Values: values}
	if t != nil {
		m := t.Met(v)
		f.Met = &m
	}
	return f
}

// Skipped is a figure that could not be measured, and why.
func Skipped(id, title, why string) Figure {
	return Figure{ID: id, Title: title, Skipped: why}
}

// Line is the figure as one line of the printed table.
func (f Figure) Line() string {
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

// Printer prints figures as they are measured.
type Printer struct{ W io.Writer }

func (p Printer) Figure(f Figure) { fmt.Fprintln(p.W, f.Line()) }

// Median returns the median of xs (NaN when empty), without changing xs.
func Median(xs []float64) float64 {
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

// PairedRatio is the median over rounds of num[i]/den[i]: each round's two
// variants ran next to each other, so their ratio cancels most of the drift
// of a shared machine.
func PairedRatio(num, den []float64) float64 {
	n := min(len(num), len(den))
	rs := make([]float64, 0, n)
	for i := range n {
		if den[i] > 0 {
			rs = append(rs, num[i]/den[i])
		}
	}
	return Median(rs)
}

// Quantile returns the q-quantile (nearest rank) of ds, 0 when empty.
func Quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// MS is d in milliseconds.
func MS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Interleave runs each variant once per round, in turn (A B A B ...), and
// returns each variant's samples, one per round.
func Interleave(rounds int, variants ...func() (float64, error)) ([][]float64, error) {
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

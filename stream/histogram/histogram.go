// Package histogram records durations in constant memory and reads
// their quantiles back.
package histogram

import (
	"math"
	"time"
)

// Histogram records durations in logarithmic buckets 1% wide, from 10 µs
// to about 100 s, in constant memory however long a stream runs.
// Percentiles are exact to within one bucket (1%). Not safe for concurrent
// use.
type Histogram struct {
	counts [histBuckets]int64
	n      int64
}

const (
	histMin     = 10 * time.Microsecond
	histGrowth  = 1.01
	histBuckets = 1620 // histMin * 1.01^1620 ≈ 100 s
)

// Add records one duration.
func (h *Histogram) Add(d time.Duration) {
	h.counts[bucket(d)]++
	h.n++
}

// bucket is the index of the bucket d falls in.
func bucket(d time.Duration) int {
	i := 0
	if d > histMin {
		i = int(math.Log(float64(d)/float64(histMin)) / math.Log(histGrowth))
	}
	return min(i, histBuckets-1)
}

// Count returns how many durations were added.
func (h *Histogram) Count() int64 { return h.n }

// Quantile returns the q-quantile (0 < q <= 1) of the recorded durations,
// or 0 when nothing was recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(q*float64(h.n))), 1)
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			// Upper edge of the bucket, so a quantile never understates.
			return upperEdge(i)
		}
	}
	return upperEdge(histBuckets - 1)
}

// upperEdge is the upper edge of bucket i.
func upperEdge(i int) time.Duration {
	return time.Duration(float64(histMin) * math.Pow(histGrowth, float64(i+1)))
}

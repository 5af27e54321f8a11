// Package fps turns the times frames were done into a frame rate.
package fps

import (
	"math"
	"slices"
	"time"
)

// Recent is the rate of the frames done at times (in order), counting
// only those within maxAge of now.
func Recent(times []time.Time, now time.Time, maxAge time.Duration) float64 {
	i, _ := slices.BinarySearchFunc(times, now.Add(-maxAge), func(t, cut time.Time) int { return t.Compare(cut) })
	return Rate(times[i:])
}

// Rate is the frame rate of frames done at times, to 0.1 fps; 0 for fewer
// than two frames or no time between them.
func Rate(times []time.Time) float64 {
	if len(times) < 2 || !times[len(times)-1].After(times[0]) {
		return 0
	}
	span := times[len(times)-1].Sub(times[0]).Seconds()
	return math.Round(float64(len(times)-1)/span*10) / 10
}

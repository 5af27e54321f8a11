package video

// Frame is one annotated frame for the video: its number, presentation
// time, JPEG (a file name in the stream's folder) and, when the server
// has them at hand, its pixels (then the JPEG is not read again).
type Frame struct {
	Seq   int64
	PTSUs int64
	Image string
	// Pixels, when set, are the annotated frame as I420 (4:2:0 planes)
	// of Width x Height, both even. The recorder holds them only until
	// they are written to the encoder.
	Pixels        []byte
	Width, Height int
}

// ranges packs frame numbers (ascending) as half-open ranges.
func ranges(frames []Frame) [][2]int64 {
	var rs [][2]int64
	for _, f := range frames {
		if n := len(rs); n > 0 && rs[n-1][1] == f.Seq {
			rs[n-1][1]++
			continue
		}
		rs = append(rs, [2]int64{f.Seq, f.Seq + 1})
	}
	return rs
}

// frameDuration is how long a frame is shown (microseconds) when the
// next one comes d after it: a duration that is not positive (a clock
// stepping back) is a common frame's, and none is longer than most (a
// live source's gap).
func frameDuration(d, most int64) int64 {
	const fallback = 40_000 // 25 fps, when nothing better is known
	if d <= 0 {
		d = fallback
	}
	return min(d, most)
}

// Timescale is the segments' time unit (ticks a second), exact for the
// common frame rates.
const Timescale = 90000

// ticks is a time in microseconds in Timescale ticks, rounded.
func ticks(us int64) int64 { return (us*Timescale + 500_000) / 1_000_000 }

package video

// Frame is one annotated frame for the video: its number, presentation
// time and JPEG (a file name in the stream's folder).
type Frame struct {
	Seq   int64
	PTSUs int64
	Image string
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

// durations are the frames' display durations in microseconds: until the
// next frame's time, the last one until next (the following frame's time,
// -1 when unknown: then as long as the one before it). A duration that is
// not positive (a clock stepping back) or longer than most is clamped.
func durations(frames []Frame, next int64, most int64) []int64 {
	d := make([]int64, len(frames))
	const fallback = 40_000 // 25 fps, when nothing better is known
	for i := range frames {
		switch {
		case i+1 < len(frames):
			d[i] = frames[i+1].PTSUs - frames[i].PTSUs
		case next >= 0:
			d[i] = next - frames[i].PTSUs
		case i > 0:
			d[i] = d[i-1]
		}
		if d[i] <= 0 {
			d[i] = fallback
		}
		d[i] = min(d[i], most)
	}
	return d
}

// sumTicks is the length of durs (microseconds) on the timeline as the
// segment's samples have it: every time but the last rounded from the
// segment's start, the last duration rounded on its own.
func sumTicks(durs []int64) int64 {
	var us int64
	for _, d := range durs[:len(durs)-1] {
		us += d
	}
	return ticks(us) + ticks(durs[len(durs)-1])
}

package track

// invalid is the cost of a pair that may not match (other class, too
// little overlap); valid pairs cost 1 - IoU <= 1.
const invalid = 2.0

// matcher runs the association passes of one frame and remembers which
// track took which detection. Its buffers are reused from frame to frame.
type matcher struct {
	detOf   []int  // detection index per track (index in Tracker.objects), -1 none
	matched []bool // per detection
	cost    []float64
	col     []int
	a       assigner
}

// begin clears the state for a frame of the tracks all and nDets
// detections, and numbers the tracks.
func (m *matcher) begin(all []*object, nDets int) {
	m.detOf = resize(m.detOf, len(all))
	for i, o := range all {
		m.detOf[i], o.slot = -1, i
	}
	m.matched = resize(m.matched, nDets)
}

// match pairs the detections di with the tracks ts (a subset of all) at
// least cost, keeping pairs of the same class that overlap by minIoU.
func (m *matcher) match(dets []Detection, di []int, ts []*object, minIoU float64) {
	if len(di) == 0 || len(ts) == 0 {
		return
	}
	n, k, rowsAreDets := costShape(len(di), len(ts))
	m.fill(dets, di, ts, minIoU, rowsAreDets, n, k)
	m.col = resize(m.col, n)
	m.a.solve(m.cost, n, k, m.col)
	m.keep(di, ts, rowsAreDets, k)
}

// costShape is the n x k shape of the cost matrix of nDets detections and
// nTracks tracks: the fewer are the rows (detections when equal).
func costShape(nDets, nTracks int) (n, k int, rowsAreDets bool) {
	if nDets <= nTracks {
		return nDets, nTracks, true
	}
	return nTracks, nDets, false
}

// keep records the solved pairs that are valid matches.
func (m *matcher) keep(di []int, ts []*object, rowsAreDets bool, k int) {
	for r, c := range m.col {
		if m.cost[r*k+c] >= invalid {
			continue
		}
		dr, tc := r, c
		if !rowsAreDets {
			dr, tc = c, r
		}
		m.matched[di[dr]] = true
		m.detOf[ts[tc].slot] = di[dr]
	}
}

// fill builds the n x k cost matrix, detections as rows when rowsAreDets.
func (m *matcher) fill(dets []Detection, di []int, ts []*object, minIoU float64, rowsAreDets bool, n, k int) {
	m.cost = resize(m.cost, n*k)
	for r := 0; r < n; r++ {
		for c := 0; c < k; c++ {
			d, t := r, c
			if !rowsAreDets {
				d, t = c, r
			}
			m.cost[r*k+c] = pairCost(dets[di[d]], ts[t], minIoU)
		}
	}
}

// pairCost is 1 - IoU of a detection and a track's prediction, or invalid.
func pairCost(d Detection, o *object, minIoU float64) float64 {
	if d.Class != o.class {
		return invalid
	}
	v := iou(d.Box, o.pred)
	if v < minIoU || v == 0 {
		return invalid
	}
	return 1 - v
}

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
	rowsAreDets := len(di) <= len(ts)
	n, k := len(di), len(ts)
	if !rowsAreDets {
		n, k = k, n
	}
	m.fill(dets, di, ts, minIoU, rowsAreDets, n, k)
	m.col = resize(m.col, n)
	m.a.solve(m.cost, n, k, m.col)
	for r, c := range m.col {
		if m.cost[r*k+c] >= invalid {
			continue
		}
		dr, tc := r, c
		if !rowsAreDets {
			dr, tc = c, r
		}
		d, t := di[dr], ts[tc]
		m.matched[d] = true
		m.detOf[t.slot] = d
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

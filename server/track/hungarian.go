package track

import "math"

// assigner solves rectangular assignment problems (the Hungarian method,
// O(n²m)), reusing its buffers between calls.
type assigner struct {
	u, v, minv []float64
	p, way     []int
	used       []bool
}

// solve assigns every row of the n x m cost matrix (row-major, n <= m) a
// distinct column with the least total cost, and returns col[row].
func (a *assigner) solve(cost []float64, n, m int, col []int) {
	a.reset(n, m)
	for i := 1; i <= n; i++ {
		a.addRow(cost, m, i)
	}
	a.assignment(col)
}

// assignment writes the column of each assigned row into col.
func (a *assigner) assignment(col []int) {
	for j := 1; j < len(a.p); j++ {
		if a.p[j] > 0 {
			col[a.p[j]-1] = j - 1
		}
	}
}

// reset sizes and clears the buffers for an n x m problem.
func (a *assigner) reset(n, m int) {
	a.u = resize(a.u, n+1)
	a.v = resize(a.v, m+1)
	a.minv = resize(a.minv, m+1)
	a.p = resize(a.p, m+1)
	a.way = resize(a.way, m+1)
	a.used = resize(a.used, m+1)
}

// addRow extends the assignment to row i by a shortest augmenting path.
func (a *assigner) addRow(cost []float64, m, i int) {
	a.p[0] = i
	for j := range a.minv {
		a.minv[j], a.used[j] = math.Inf(1), false
	}
	j0 := 0
	for a.p[j0] != 0 {
		j0 = a.step(cost, m, j0)
	}
	a.augment(j0)
}

// step visits column j0, relaxes the reduced costs of the unvisited
// columns from its row, and returns the column nearest the tree.
func (a *assigner) step(cost []float64, m, j0 int) int {
	a.used[j0] = true
	i0, delta, j1 := a.p[j0], math.Inf(1), 0
	for j := 1; j <= m; j++ {
		if a.used[j] {
			continue
		}
		if cur := cost[(i0-1)*m+j-1] - a.u[i0] - a.v[j]; cur < a.minv[j] {
			a.minv[j], a.way[j] = cur, j0
		}
		if a.minv[j] < delta {
			delta, j1 = a.minv[j], j
		}
	}
	a.shift(m, delta)
	return j1
}

// shift moves the potentials by delta: up for the rows and down for the
// columns in the tree, and the other columns' distances down.
func (a *assigner) shift(m int, delta float64) {
	for j := 0; j <= m; j++ {
		if a.used[j] {
			a.u[a.p[j]] += delta
			a.v[j] -= delta
		} else {
			a.minv[j] -= delta
		}
	}
}

// augment flips the assignment along the path that ends at column j0.
func (a *assigner) augment(j0 int) {
	for j0 != 0 {
		j1 := a.way[j0]
		a.p[j0] = a.p[j1]
		j0 = j1
	}
}

// resize returns s with length n and zero values, reusing its memory.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

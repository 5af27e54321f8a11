//go:build !amd64

package meanwh

// sumVector sums nothing where there is no vector version: the tables do
// it all.
func sumVector([]byte) (sum uint64, n int, ok bool) { return 0, 0, true }

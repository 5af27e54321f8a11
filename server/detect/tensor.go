package detect

// tensor is a read-only view of one net output: its shape and its float32
// data in OpenCV memory. It is valid only until the next forward or close of
// the onnxNet that produced it; copy what must outlive that.
type tensor struct {
	dims []int
	data []float32
}

// matrixShape reads dims as a 2-D (rows, cols) matrix, allowing any number
// of leading 1s (e.g. [N,C], [1,N,C], [1,1,N,C]). ok is false otherwise.
func matrixShape(dims []int) (rows, cols int, ok bool) {
	if len(dims) < 2 {
		return 0, 0, false
	}
	for _, d := range dims[:len(dims)-2] {
		if d != 1 {
			return 0, 0, false
		}
	}
	rows, cols = dims[len(dims)-2], dims[len(dims)-1]
	return rows, cols, rows > 0 && cols > 0
}

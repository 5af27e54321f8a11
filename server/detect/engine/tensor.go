package engine

// Tensor is a float32 tensor: its shape (row-major, outermost first) and its
// data. The tensors an Engine returns are views of memory the engine owns:
// valid only until its next Forward or Close; copy what must outlive that.
type Tensor struct {
	Dims []int
	Data []float32
}

// elements is the number of values a tensor of shape dims holds, or -1 if a
// dim is not positive.
func elements(dims []int) int {
	n := 1
	for _, d := range dims {
		if d <= 0 {
			return -1
		}
		n *= d
	}
	return n
}

package kserve

import (
	"encoding/binary"
	"fmt"
	"math"

	inferencepb "github.com/framewire/framewire/proto/inference"
)

// fp32 is the protocol's name of the one data type framewire sends and reads.
const fp32 = "FP32"

// appendFP32 appends vs to dst as little-endian IEEE 754 bytes.
func appendFP32(dst []byte, vs []float32) []byte {
	for _, v := range vs {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
	}
	return dst
}

// readFP32 decodes little-endian FP32 bytes into dst, which must have room
// for exactly len(b)/4 values.
func readFP32(dst []float32, b []byte) error {
	if len(b) != 4*len(dst) {
		return fmt.Errorf("%d bytes for %d FP32 values, want %d", len(b), len(dst), 4*len(dst))
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return nil
}

// elements is the number of values in a tensor of shape dims, or an error
// if a dim is not positive.
func elements(dims []int64) (int, error) {
	n := 1
	for _, d := range dims {
		if d <= 0 || d > math.MaxInt32 {
			return 0, fmt.Errorf("shape %v has a dim that is not positive", dims)
		}
		n *= int(d)
		if n > math.MaxInt32 {
			return 0, fmt.Errorf("shape %v is too large", dims)
		}
	}
	return n, nil
}

// toInt64 converts a shape for the wire.
func toInt64(dims []int) []int64 {
	out := make([]int64, len(dims))
	for i, d := range dims {
		out[i] = int64(d)
	}
	return out
}

// toInt converts a shape from the wire.
func toInt(dims []int64) []int {
	out := make([]int, len(dims))
	for i, d := range dims {
		out[i] = int(d)
	}
	return out
}

// shapeFits reports whether a tensor of shape got fits the metadata shape
// want, where -1 is any size.
func shapeFits(want []int64, got []int) bool {
	if len(want) != len(got) {
		return false
	}
	for i, d := range want {
		if d != -1 && d != int64(got[i]) {
			return false
		}
	}
	return true
}

// tensorValues reads the n FP32 values of one tensor: from raw when it is
// not nil, else from the tensor's typed contents.
func tensorValues(dst []float32, raw []byte, contents *inferencepb.InferTensorContents) error {
	if raw != nil {
		return readFP32(dst, raw)
	}
	return copyFP32(dst, contents.GetFp32Contents())
}

// copyFP32 copies the typed values vs into dst, which they must fill.
func copyFP32(dst, vs []float32) error {
	if len(vs) != len(dst) {
		return fmt.Errorf("%d fp32_contents values, want %d", len(vs), len(dst))
	}
	copy(dst, vs)
	return nil
}

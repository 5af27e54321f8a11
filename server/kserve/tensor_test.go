package kserve

import (
	"math"
	"slices"
	"testing"
)

func TestFP32Bytes(t *testing.T) {
	vs := []float32{0, 1, -2.5, float32(math.Inf(1)), math.SmallestNonzeroFloat32}
	b := appendFP32(nil, vs)
	if got, want := b[4:8], []byte{0, 0, 0x80, 0x3f}; !slices.Equal(got, want) {
		t.Errorf("1.0 as bytes %x, want little-endian %x", got, want)
	}
	got := make([]float32, len(vs))
	if err := readFP32(got, b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, vs) {
		t.Errorf("round trip %v, want %v", got, vs)
	}
	if err := readFP32(got, b[:7]); err == nil {
		t.Error("7 bytes for 5 values read without an error")
	}
}

func TestShapeFits(t *testing.T) {
	cases := []struct {
		want []int64
		got  []int
		fits bool
	}{
		{[]int64{1, 3, 320, 320}, []int{1, 3, 320, 320}, true},
		{[]int64{-1, 3, 320, 320}, []int{1, 3, 320, 320}, true},
		{[]int64{1, 3, 416, 416}, []int{1, 3, 320, 320}, false},
		{[]int64{3, 320, 320}, []int{1, 3, 320, 320}, false},
	}
	for _, c := range cases {
		if got := shapeFits(c.want, c.got); got != c.fits {
			t.Errorf("shapeFits(%v, %v) = %v, want %v", c.want, c.got, got, c.fits)
		}
	}
}

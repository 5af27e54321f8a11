package meanwh

import "golang.org/x/sys/cpu"

// sumQuadsAVX2 sums the bytes the base64 quads of q decode to, 32
// characters at a time (len(q) a multiple of 32); bad is not zero when a
// character is outside the alphabet. In sum_amd64.s.
//
//go:noescape
func sumQuadsAVX2(q []byte) (sum uint64, bad uint32)

// sumVector sums the quads of the longest prefix of q it can sum with the
// CPU's vector instructions (AVX2), n characters; ok is false when one of
// them is outside the alphabet.
func sumVector(q []byte) (sum uint64, n int, ok bool) {
	if n = len(q) &^ 31; n == 0 || !cpu.X86.HasAVX2 {
		return 0, 0, true
	}
	sum, bad := sumQuadsAVX2(q[:n])
	return sum, n, bad == 0
}

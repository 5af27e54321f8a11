package service

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unsafe"
)

// maxMeanWHPixels bounds width*height for ImageMeanWH, so that no product
// of two int32s can overflow or describe more than a 64-megapixel image.
const maxMeanWHPixels = 1 << 26

// meanWH is the tutorial's prediction: it base64-decodes b64 as raw 8-bit
// pixels, height rows of width pixels with 1, 3 or 4 channels, and returns
// the channel count and the mean of all bytes. The error says what size was
// expected.
func meanWH(b64 string, width, height int32) (channels int32, mean float32, err error) {
	if width <= 0 || height <= 0 {
		return 0, 0, fmt.Errorf("width and height must be positive, got %dx%d", width, height)
	}
	pixels := int64(width) * int64(height)
	if pixels > maxMeanWHPixels {
		return 0, 0, fmt.Errorf("image of %dx%d is above the limit of %d pixels", width, height, maxMeanWHPixels)
	}
	if max := base64.StdEncoding.EncodedLen(int(pixels) * 4); len(b64) > max+4 {
		return 0, 0, fmt.Errorf("%d base64 characters is more than a %dx%d image with 4 channels needs (%d)", len(b64), width, height, max)
	}
	result := func(sum uint64, n int64) (int32, float32, error) {
		switch n {
		case pixels, pixels * 3, pixels * 4:
			return int32(n / pixels), float32(float64(sum) / float64(n)), nil
		}
		return 0, 0, fmt.Errorf("%d bytes do not make a %dx%d image: want %d (1 channel), %d (3) or %d (4)",
			n, width, height, pixels, pixels*3, pixels*4)
	}
	// reference decodes the whole image, then sums it: the plain way, taken
	// only for input the one pass below does not (invalid base64, which
	// then gets the decoder's exact error).
	reference := func() (int32, float32, error) {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return 0, 0, fmt.Errorf("decode base64 image: %w", err)
		}
		var sum uint64
		for _, b := range data {
			sum += uint64(b)
		}
		return result(sum, int64(len(data)))
	}

	// One pass, no frame-sized buffer: four characters c0..c3 decode to
	// three bytes whose sum is share[0][c0] + ... + share[3][c3], each
	// character's part of those bytes' bits at their weights. A character
	// outside the alphabet (or '=' before the last four) shares badChar,
	// which a block's total shows. The decoder skips '\r' and '\n'; so does
	// this pass, copying the others into buf when there are any.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	const badChar, block = 1 << 20, 4096 // 512 quads: valid shares stay below badChar
	var share [4][256]uint32
	for i := range share {
		for c := range share[i] {
			share[i][c] = badChar
		}
	}
	for v := range uint32(len(alphabet)) {
		c := alphabet[v]
		share[0][c], share[1][c], share[2][c], share[3][c] = v<<2, v>>4+(v&15)<<4, v>>2+(v&3)<<6, v
	}
	sumQuads := func(q []byte) (uint64, bool) {
		var a, b uint32 // two chains of additions, for the CPU to overlap
		for ; len(q) >= 8; q = q[8:] {
			a += share[0][q[0]] + share[1][q[1]] + share[2][q[2]] + share[3][q[3]]
			b += share[0][q[4]] + share[1][q[5]] + share[2][q[6]] + share[3][q[7]]
		}
		if len(q) == 4 {
			a += share[0][q[0]] + share[1][q[1]] + share[2][q[2]] + share[3][q[3]]
		}
		return uint64(a) + uint64(b), a|b < badChar
	}
	// The string's bytes, read only: no copy of the 700 KB. Usually there
	// are no newlines, and next hands out slices of it; else it copies the
	// next characters that are not newlines into dst.
	src, filter := unsafe.Slice(unsafe.StringData(b64), len(b64)), false
	next := func(dst []byte) []byte {
		if !filter {
			q := src[:len(dst)]
			src = src[len(dst):]
			return q
		}
		for i := 0; i < len(dst); src = src[1:] {
			if c := src[0]; c != '\n' && c != '\r' {
				dst[i] = c
				i++
			}
		}
		return dst
	}
	// sumText sums chars characters (a multiple of 4) from next: all but
	// the last four by their shares, those by the decoder, as they may
	// hold padding. It also returns how many bytes they decode to.
	var buf [block]byte
	sumText := func(chars int) (uint64, int64, bool) {
		var sum uint64
		for left := chars - 4; left > 0; {
			q := next(buf[:min(block, left)])
			s, ok := sumQuads(q)
			if !ok {
				return 0, 0, false
			}
			sum, left = sum+s, left-len(q)
		}
		var last [3]byte
		k, err := base64.StdEncoding.Decode(last[:], next(buf[:4]))
		for _, b := range last[:k] {
			sum += uint64(b)
		}
		return sum, int64(chars/4*3 - 3 + k), err == nil
	}
	if len(b64) > 0 && len(b64)%4 == 0 {
		if sum, n, ok := sumText(len(b64)); ok {
			return result(sum, n)
		}
	}
	newlines := strings.Count(b64, "\n") + strings.Count(b64, "\r")
	chars := len(b64) - newlines
	if newlines == 0 || chars == 0 || chars%4 != 0 {
		return reference()
	}
	src, filter = unsafe.Slice(unsafe.StringData(b64), len(b64)), true
	sum, n, ok := sumText(chars)
	if !ok {
		return reference()
	}
	return result(sum, n)
}

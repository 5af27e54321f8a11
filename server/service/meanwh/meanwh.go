// Package meanwh computes the tutorial's ImageMeanWH answer: the channel count
// and pixel mean of a base64 image, in one pass without decoding it whole.
package meanwh

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"unsafe"
)

// maxMeanWHPixels bounds width*height for ImageMeanWH, so that no product
// of two int32s can overflow or describe more than a 64-megapixel image.
const maxMeanWHPixels = 1 << 26

// b64Alphabet is the standard base64 alphabet, each character at its value.
const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// b64BadChar is the share of a character outside the alphabet; b64Block is
// how many characters are summed at a time, 512 quads, so that valid shares
// stay below b64BadChar.
const b64BadChar, b64Block = 1 << 20, 4096

// Compute is the tutorial's prediction: it base64-decodes b64 as raw 8-bit
// pixels, height rows of width pixels with 1, 3 or 4 channels, and returns
// the channel count and the mean of all bytes. The error says what size was
// expected.
func Compute(b64 string, width, height int32) (channels int32, mean float32, err error) {
	im, err := newMeanWHImage(len(b64), width, height)
	if err != nil {
		return 0, 0, err
	}
	var s b64Summer
	s.init(b64)
	if len(b64) > 0 && len(b64)%4 == 0 {
		if sum, n, ok := s.sumText(len(b64)); ok {
			return im.result(sum, n)
		}
	}
	newlines := strings.Count(b64, "\n") + strings.Count(b64, "\r")
	chars := len(b64) - newlines
	if newlines == 0 || chars == 0 || chars%4 != 0 {
		return im.reference(b64)
	}
	s.src, s.filter = unsafe.Slice(unsafe.StringData(b64), len(b64)), true
	sum, n, ok := s.sumText(chars)
	if !ok {
		return im.reference(b64)
	}
	return im.result(sum, n)
}

// meanWHImage is the size an ImageMeanWH request says its image has.
type meanWHImage struct {
	width, height int32
	pixels        int64
}

// newMeanWHImage checks the size and that chars base64 characters are not
// more than a 4-channel image of that size needs.
func newMeanWHImage(chars int, width, height int32) (meanWHImage, error) {
	if width <= 0 || height <= 0 {
		return meanWHImage{}, fmt.Errorf("width and height must be positive, got %dx%d", width, height)
	}
	pixels := int64(width) * int64(height)
	if pixels > maxMeanWHPixels {
		return meanWHImage{}, fmt.Errorf("image of %dx%d is above the limit of %d pixels", width, height, maxMeanWHPixels)
	}
	if max := base64.StdEncoding.EncodedLen(int(pixels) * 4); chars > max+4 {
		return meanWHImage{}, fmt.Errorf("%d base64 characters is more than a %dx%d image with 4 channels needs (%d)", chars, width, height, max)
	}
	return meanWHImage{width: width, height: height, pixels: pixels}, nil
}

// result turns the sum of n decoded bytes into the channel count and mean,
// or says which sizes n should have been.
func (im meanWHImage) result(sum uint64, n int64) (int32, float32, error) {
	pixels := im.pixels
	switch n {
	case pixels, pixels * 3, pixels * 4:
		return int32(n / pixels), float32(float64(sum) / float64(n)), nil
	}
	return 0, 0, fmt.Errorf("%d bytes do not make a %dx%d image: want %d (1 channel), %d (3) or %d (4)",
		n, im.width, im.height, pixels, pixels*3, pixels*4)
}

// reference decodes the whole image, then sums it: the plain way, taken
// only for input the one pass does not (invalid base64, which then gets
// the decoder's exact error).
func (im meanWHImage) reference(b64 string) (int32, float32, error) {
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return 0, 0, fmt.Errorf("decode base64 image: %w", err)
	}
	var sum uint64
	for _, b := range data {
		sum += uint64(b)
	}
	return im.result(sum, int64(len(data)))
}

// b64Shares makes one pass with no frame-sized buffer possible: four
// characters c0..c3 decode to three bytes whose sum is s[0][c0] + ... +
// s[3][c3], each character's part of those bytes' bits at their weights. A
// character outside the alphabet (or '=' before the last four) shares
// b64BadChar, which a block's total shows.
type b64Shares [4][256]uint32

// init fills s for the standard alphabet.
func (s *b64Shares) init() {
	for i := range s {
		for c := range s[i] {
			s[i][c] = b64BadChar
		}
	}
	for v := range uint32(len(b64Alphabet)) {
		c := b64Alphabet[v]
		s[0][c], s[1][c], s[2][c], s[3][c] = v<<2, v>>4+(v&15)<<4, v>>2+(v&3)<<6, v
	}
}

// sumQuads sums the bytes that q, whole quads of at most b64Block
// characters, decodes to; false if a character is not in the alphabet.
func (s *b64Shares) sumQuads(q []byte) (uint64, bool) {
	vec, n, ok := sumVector(q)
	rest, restOK := s.sumQuadsScalar(q[n:])
	return vec + rest, ok && restOK
}

// sumQuadsScalar is sumQuads with the shares' tables alone.
func (s *b64Shares) sumQuadsScalar(q []byte) (uint64, bool) {
	var a, b uint32 // two chains of additions, for the CPU to overlap
	for ; len(q) >= 8; q = q[8:] {
		a += s[0][q[0]] + s[1][q[1]] + s[2][q[2]] + s[3][q[3]]
		b += s[0][q[4]] + s[1][q[5]] + s[2][q[6]] + s[3][q[7]]
	}
	if len(q) == 4 {
		a += s[0][q[0]] + s[1][q[1]] + s[2][q[2]] + s[3][q[3]]
	}
	return uint64(a) + uint64(b), a|b < b64BadChar
}

// b64Summer sums the bytes a base64 string decodes to, reading the
// string's bytes in place: no copy of the 700 KB. The decoder skips '\r'
// and '\n'; so does the summer when filter is set, copying the other
// characters into buf. Unfiltered, the text may go on in rest, chunk
// after chunk (as a message arrives); a quad across two chunks is copied.
type b64Summer struct {
	share  b64Shares
	src    []byte
	rest   [][]byte
	filter bool
	buf    [b64Block]byte
}

// init sets s to read b64 unfiltered.
func (s *b64Summer) init(b64 string) {
	s.share.init()
	s.src, s.filter = unsafe.Slice(unsafe.StringData(b64), len(b64)), false
}

// next hands out the next len(dst) characters: a slice of the string when
// not filtering, else the next ones that are not newlines, copied into dst.
func (s *b64Summer) next(dst []byte) []byte {
	if !s.filter {
		return s.nextInPlace(dst)
	}
	for i := 0; i < len(dst); s.src = s.src[1:] {
		if c := s.src[0]; c != '\n' && c != '\r' {
			dst[i] = c
			i++
		}
	}
	return dst
}

// sumText sums chars characters (a multiple of 4) from next: all but the
// last four by their shares, those by the decoder, as they may hold
// padding. It also returns how many bytes they decode to.
func (s *b64Summer) sumText(chars int) (uint64, int64, bool) {
	var sum uint64
	for left := chars - 4; left > 0; {
		q := s.next(s.buf[:min(b64Block, left)])
		part, ok := s.share.sumQuads(q)
		if !ok {
			return 0, 0, false
		}
		sum, left = sum+part, left-len(q)
	}
	var last [3]byte
	k, err := base64.StdEncoding.Decode(last[:], s.next(s.buf[:4]))
	for _, b := range last[:k] {
		sum += uint64(b)
	}
	return sum, int64(chars/4*3 - 3 + k), err == nil
}

// nextInPlace hands out the next characters, up to len(dst) (a multiple
// of 4) but whole quads, in place; a quad across two chunks is copied
// into dst.
func (s *b64Summer) nextInPlace(dst []byte) []byte {
	for len(s.src) == 0 && len(s.rest) > 0 {
		s.src, s.rest = s.rest[0], s.rest[1:]
	}
	if n := min(len(dst), len(s.src)) &^ 3; n > 0 {
		q := s.src[:n]
		s.src = s.src[n:]
		return q
	}
	q := dst[:4]
	for i := 0; i < len(q); {
		for len(s.src) == 0 {
			s.src, s.rest = s.rest[0], s.rest[1:]
		}
		c := copy(q[i:], s.src)
		s.src, i = s.src[c:], i+c
	}
	return q
}

// ComputeChunks is Compute of the base64 text that chunks hold one after
// the other (as the request arrived), read in place. Text with newlines
// or other characters outside the alphabet is joined and given to
// Compute, for its exact answer or error.
func ComputeChunks(chunks [][]byte, width, height int32) (channels int32, mean float32, err error) {
	chars := 0
	for _, c := range chunks {
		chars += len(c)
	}
	im, err := newMeanWHImage(chars, width, height)
	if err != nil {
		return 0, 0, err
	}
	if chars > 0 && chars%4 == 0 {
		var s b64Summer
		s.share.init()
		s.rest = chunks
		if sum, n, ok := s.sumText(chars); ok {
			return im.result(sum, n)
		}
	}
	return Compute(string(bytes.Join(chunks, nil)), width, height)
}

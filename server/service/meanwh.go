package service

import (
	"encoding/base64"
	"fmt"
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
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return 0, 0, fmt.Errorf("decode base64 image: %w", err)
	}
	n := int64(len(data))
	switch n {
	case pixels, pixels * 3, pixels * 4:
	default:
		return 0, 0, fmt.Errorf("%d bytes do not make a %dx%d image: want %d (1 channel), %d (3) or %d (4)",
			n, width, height, pixels, pixels*3, pixels*4)
	}
	var sum uint64
	for _, b := range data {
		sum += uint64(b)
	}
	return int32(n / pixels), float32(float64(sum) / float64(n)), nil
}

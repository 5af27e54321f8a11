// Package blob writes 8-bit BGR pixels into the float32 input of a net:
// normalised planes (NCHW), RGB planes scaled to [0,1] (NCHW) or
// interleaved RGB in [-1,1] (NHWC), and where a letterboxed frame goes.
package blob

import "math"

// Planar writes the BGR pixels px into dst as three planes, B, G then R,
// each value v as (v - mean[c]) * scale[c].
func Planar(dst []float32, px []uint8, mean, scale [3]float32) {
	plane := len(px) / 3
	bs, gs, rs := dst[:plane], dst[plane:2*plane], dst[2*plane:3*plane]
	for i := range plane {
		p := px[3*i : 3*i+3 : 3*i+3]
		bs[i] = (float32(p[0]) - mean[0]) * scale[0]
		gs[i] = (float32(p[1]) - mean[1]) * scale[1]
		rs[i] = (float32(p[2]) - mean[2]) * scale[2]
	}
}

// Pad sets row to -1, black in UnitRGB's scale.
func Pad(row []float32) { Fill(row, -1) }

// UnitRGB writes the BGR pixels src into dst as RGB scaled to [-1,1].
func UnitRGB(dst []float32, src []uint8) {
	const k = 1 / 127.5
	for x := 0; x+2 < len(src); x += 3 {
		dst[x] = float32(src[x+2])*k - 1 // R
		dst[x+1] = float32(src[x+1])*k - 1
		dst[x+2] = float32(src[x])*k - 1 // B
	}
}

// Letterbox places a frame in a square S x S input with its aspect ratio
// kept, centred: scaled to W x H at offset PadX, PadY.
type Letterbox struct {
	W, H, PadX, PadY int
}

// NewLetterbox fits a w x h frame in an s x s input: scale s/max(w,h),
// sides rounded to the nearest pixel, padding split with the odd pixel
// after the frame (to the right, below).
func NewLetterbox(w, h, s int) Letterbox {
	scale := float64(s) / float64(max(w, h))
	rw := min(s, max(1, int(math.Round(float64(w)*scale))))
	rh := min(s, max(1, int(math.Round(float64(h)*scale))))
	return Letterbox{W: rw, H: rh, PadX: (s - rw) / 2, PadY: (s - rh) / 2}
}

// Fill sets every value of dst to v.
func Fill(dst []float32, v float32) {
	for i := range dst {
		dst[i] = v
	}
}

// PlanarRGBRow writes one row of BGR pixels src into the same row of three
// planes, r, g and b (each len(src)/3 long), each value v as v * scale.
func PlanarRGBRow(r, g, b []float32, src []uint8, scale float32) {
	for x := range r {
		p := src[3*x : 3*x+3 : 3*x+3]
		b[x] = float32(p[0]) * scale
		g[x] = float32(p[1]) * scale
		r[x] = float32(p[2]) * scale
	}
}

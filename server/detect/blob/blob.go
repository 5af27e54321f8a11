// Package blob writes 8-bit BGR pixels into the float32 input of a net:
// normalised planes (NCHW) or interleaved RGB in [-1,1] (NHWC).
package blob

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
func Pad(row []float32) {
	for i := range row {
		row[i] = -1
	}
}

// UnitRGB writes the BGR pixels src into dst as RGB scaled to [-1,1].
func UnitRGB(dst []float32, src []uint8) {
	const k = 1 / 127.5
	for x := 0; x+2 < len(src); x += 3 {
		dst[x] = float32(src[x+2])*k - 1 // R
		dst[x+1] = float32(src[x+1])*k - 1
		dst[x+2] = float32(src[x])*k - 1 // B
	}
}

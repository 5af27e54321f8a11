// Package exif reads the orientation a photo's EXIF data gives (TIFF tag
// 0x0112), from a JPEG's APP1 "Exif" segment or a PNG's eXIf chunk, the
// way photo viewers use it to show the photo upright. It is pure Go, reads
// only the bytes it is given and never panics on any input.
package exif

import (
	"bytes"
	"encoding/binary"
)

// Orientations, as EXIF numbers them: how the stored pixels must be turned
// to show the photo upright.
const (
	Upright        = 1 // stored upright
	FlipH          = 2 // mirrored left to right
	Rotate180      = 3 // upside down
	FlipV          = 4 // mirrored top to bottom
	Transpose      = 5 // mirrored along the top-left to bottom-right diagonal
	Rotate90CW     = 6 // shown after turning 90 degrees clockwise
	Transverse     = 7 // mirrored along the top-right to bottom-left diagonal
	Rotate90CCW    = 8 // shown after turning 90 degrees counter-clockwise
	orientationTag = 0x0112
)

// Orientation is the EXIF orientation of the JPEG or PNG file data, 1 to 8;
// it is Upright when data holds none, or none that reads.
func Orientation(data []byte) int {
	var tiff []byte
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		tiff = jpegTIFF(data)
	case bytes.HasPrefix(data, pngSignature):
		tiff = pngTIFF(data)
	}
	return tiffOrientation(tiff)
}

// Transposed reports whether orientation o swaps width and height: the
// upright photo's width is the stored pixels' height.
func Transposed(o int) bool { return o >= Transpose && o <= Rotate90CCW }

// UprightSize is the size of the photo shown upright whose stored pixels
// are w x h with orientation o.
func UprightSize(w, h, o int) (int, int) {
	if Transposed(o) {
		return h, w
	}
	return w, h
}

// exifHeader starts the APP1 segment that holds EXIF data.
var exifHeader = []byte("Exif\x00\x00")

// jpegTIFF is the TIFF structure of the JPEG b's first EXIF APP1 segment,
// found among the segments before the image data; nil when there is none.
func jpegTIFF(b []byte) []byte {
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			return nil
		}
		m := b[i+1]
		switch {
		case m == 0xff: // fill byte
			i++
			continue
		case m == 0x01 || m >= 0xd0 && m <= 0xd8: // markers without a length
			i += 2
			continue
		case m == 0xd9 || m == 0xda: // end of image, start of scan
			return nil
		}
		end := i + 2 + int(binary.BigEndian.Uint16(b[i+2:]))
		if end > len(b) || end < i+4 {
			return nil
		}
		if seg := b[i+4 : end]; m == 0xe1 && bytes.HasPrefix(seg, exifHeader) {
			return seg[len(exifHeader):]
		}
		i = end
	}
	return nil
}

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngTIFF is the TIFF structure of the PNG b's eXIf chunk before its image
// data; nil when there is none.
func pngTIFF(b []byte) []byte {
	for i := len(pngSignature); i+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if n < 0 || n > len(b)-i-8 || typ == "IDAT" || typ == "IEND" {
			return nil
		}
		if typ == "eXIf" {
			return b[i+8 : i+8+n]
		}
		i += 8 + n + 4 // length, type, data, CRC
	}
	return nil
}

// tiffOrientation reads the orientation entry of the first image file
// directory of the TIFF structure t, in either byte order; Upright when
// there is none or it is out of range.
func tiffOrientation(t []byte) int {
	order, ok := byteOrder(t)
	if !ok {
		return Upright
	}
	ifd := int64(order.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return Upright
	}
	n := int(order.Uint16(t[ifd:]))
	for e := int(ifd) + 2; n > 0 && e+12 <= len(t); e, n = e+12, n-1 {
		if order.Uint16(t[e:]) == orientationTag {
			return entryOrientation(order, t[e:e+12])
		}
	}
	return Upright
}

// byteOrder is the byte order the TIFF header of t names: "II" (Intel,
// little-endian) or "MM" (Motorola, big-endian), followed by 42.
func byteOrder(t []byte) (binary.ByteOrder, bool) {
	if len(t) < 8 {
		return nil, false
	}
	var order binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return nil, false
	}
	return order, order.Uint16(t[2:]) == 42
}

// entryOrientation reads the value of a 12-byte orientation entry: one
// SHORT (type 3), or one LONG (type 4) from writers that use it, held in
// the entry itself.
func entryOrientation(order binary.ByteOrder, e []byte) int {
	typ, count := order.Uint16(e[2:]), order.Uint32(e[4:])
	v := -1
	switch {
	case count != 1:
	case typ == 3:
		v = int(order.Uint16(e[8:]))
	case typ == 4:
		v = int(order.Uint32(e[8:]))
	}
	if v < Upright || v > Rotate90CCW {
		return Upright
	}
	return v
}

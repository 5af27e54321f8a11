// Package exiftest writes EXIF orientations into JPEG and PNG files, and
// turns upright pixels into the stored pixels of each orientation, for
// tests of the code that reads them.
package exiftest

import (
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/draw"
)

// TIFF is an EXIF TIFF structure in byte order order (binary.LittleEndian
// writes "II", binary.BigEndian "MM") whose first directory holds
// orientation o between two other entries, as cameras write it.
func TIFF(order binary.AppendByteOrder, o uint16) []byte {
	t := []byte("MM")
	if order == binary.LittleEndian {
		t = []byte("II")
	}
	t = order.AppendUint16(t, 42)
	t = order.AppendUint32(t, 8)
	t = order.AppendUint16(t, 3)
	t = entry(t, order, 0x010f, 2, 4, 0x43616d00) // Make: "Cam" in the entry
	t = entry(t, order, 0x0112, 3, 1, uint32(o)<<16)
	t = entry(t, order, 0x0128, 3, 1, 2<<16) // ResolutionUnit: inches
	return order.AppendUint32(t, 0)          // no next directory
}

// entry appends one 12-byte directory entry; value holds the bytes of a
// value that fits, as a big-endian word (written in order).
func entry(t []byte, order binary.AppendByteOrder, tag, typ uint16, count, value uint32) []byte {
	t = order.AppendUint16(t, tag)
	t = order.AppendUint16(t, typ)
	t = order.AppendUint32(t, count)
	v := binary.BigEndian.AppendUint32(nil, value)
	if order == binary.LittleEndian && typ == 3 {
		v = []byte{v[1], v[0], v[3], v[2]}
	}
	return append(t, v...)
}

// JPEG is the JPEG file jpg with an APP1 EXIF segment holding tiff after
// its start-of-image marker (and a JFIF APP0 segment, when jpg has one).
func JPEG(jpg, tiff []byte) []byte {
	at := 2
	if len(jpg) > 6 && jpg[3] == 0xe0 {
		at = 4 + int(binary.BigEndian.Uint16(jpg[4:]))
	}
	body := append([]byte("Exif\x00\x00"), tiff...)
	seg := binary.BigEndian.AppendUint16([]byte{0xff, 0xe1}, uint16(len(body)+2))
	out := append([]byte{}, jpg[:at]...)
	out = append(append(out, seg...), body...)
	return append(out, jpg[at:]...)
}

// PNG is the PNG file png with an eXIf chunk holding tiff after its
// header chunk.
func PNG(png, tiff []byte) []byte {
	const afterIHDR = 8 + 4 + 4 + 13 + 4
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(tiff)))
	chunk = append(append(chunk, "eXIf"...), tiff...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := append([]byte{}, png[:afterIHDR]...)
	out = append(out, chunk...)
	return append(out, png[afterIHDR:]...)
}

// Stored is how a camera stores the upright picture up with orientation
// o: the pixels a viewer turns by o to show up.
func Stored(up image.Image, o int) *image.RGBA {
	b := up.Bounds()
	w, h := b.Dx(), b.Dy()
	sw, sh := w, h
	if o >= 5 {
		sw, sh = h, w
	}
	src := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(src, src.Rect, up, b.Min, draw.Src)
	out := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			ux, uy := shown(x, y, sw, sh, o)
			out.SetRGBA(x, y, src.RGBAAt(ux, uy))
		}
	}
	return out
}

// shown is where stored pixel (x, y) of a sw x sh picture with
// orientation o lands in the upright picture, as the EXIF specification
// defines the orientations (which stored row and column are the top and
// left of the upright one).
func shown(x, y, sw, sh, o int) (int, int) {
	switch o {
	case 2:
		return sw - 1 - x, y
	case 3:
		return sw - 1 - x, sh - 1 - y
	case 4:
		return x, sh - 1 - y
	case 5:
		return y, x
	case 6:
		return sh - 1 - y, x
	case 7:
		return sh - 1 - y, sw - 1 - x
	case 8:
		return y, sw - 1 - x
	}
	return x, y
}

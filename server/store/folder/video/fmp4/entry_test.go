package fmp4

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// rawBox is a box of typ around body.
func rawBox(typ string, body []byte) []byte {
	return append(append(binary.BigEndian.AppendUint32(nil, uint32(8+len(body))), typ...), body...)
}

// The sample entry and its avcC are found where they are in the box
// tree, not wherever their names' bytes first appear: here a brand and
// a free box before the movie hold such bytes.
func TestSampleEntryIsFoundInItsBox(t *testing.T) {
	b := constantRate(t)
	avcc, ok := AVCC(b)
	if !ok || len(avcc) < 4 {
		t.Fatalf("AVCC of ffmpeg's MP4: %x, %v", avcc, ok)
	}
	decoy := rawBox("free", append(rawBox("avcC", []byte{1, 0x77, 0x77, 0x77}), rawBox("avc1", make([]byte, 28))...))
	ftyp := rawBox("ftyp", []byte("isom\x00\x00\x02\x00avcCavc1isom"))
	fooled := append(append(ftyp, decoy...), b[len(rawBoxHead(b)):]...)
	got, ok := AVCC(fooled)
	if !ok || !bytes.Equal(got, avcc) {
		t.Errorf("AVCC with decoys: %x, %v; want %x", got, ok, avcc)
	}
	avc1, ok := AVC1(fooled)
	if !ok || len(avc1) < 28 || binary.BigEndian.Uint16(avc1[24:]) != 64 || binary.BigEndian.Uint16(avc1[26:]) != 48 {
		t.Errorf("AVC1 with decoys: %x, %v; want the sample entry of 64x48", avc1, ok)
	}
}

// rawBoxHead is b's first box (ffmpeg's ftyp).
func rawBoxHead(b []byte) []byte { return b[:binary.BigEndian.Uint32(b)] }

package fmp4

// visualEntryFields is the length of a visual sample entry's fields
// (avc1's), before the boxes it holds (avcC, ...).
const visualEntryFields = 78

// AVC1 is the body of the H.264 sample entry (avc1) of the first track
// of MP4 b: its fields (the picture size at 24 and 26) and boxes.
func AVC1(b []byte) ([]byte, bool) {
	e, ok := avc1(b)
	if !ok {
		return nil, false
	}
	return b[e.body:e.end], true
}

// AVCC is the body of the avcC in the H.264 sample entry of the first
// track of MP4 b: profile, level and parameter sets.
func AVCC(b []byte) ([]byte, bool) {
	e, ok := avc1(b)
	if !ok || e.end-e.body < visualEntryFields {
		return nil, false
	}
	c, ok := descend(b, e.body+visualEntryFields, e.end, "avcC")
	if !ok {
		return nil, false
	}
	return b[c.body:c.end], true
}

// avc1 is the H.264 sample entry of b's first track, found by walking
// the box tree (moov/trak/mdia/minf/stbl/stsd/avc1).
func avc1(b []byte) (box, bool) {
	stsd, ok := descend(b, 0, len(b), "moov", "trak", "mdia", "minf", "stbl", "stsd")
	if !ok || stsd.end-stsd.body < 8 {
		return box{}, false
	}
	return descend(b, stsd.body+8, stsd.end, "avc1") // after its version, flags and entry count
}

// descend is the box reached from the boxes in b[from:to] by the types
// of path, each the first of its type among its parent's boxes.
func descend(b []byte, from, to int, path ...string) (box, bool) {
	var x box
	for _, typ := range path {
		bs, err := boxes(b, from, to)
		if err != nil {
			return box{}, false
		}
		var ok bool
		if x, ok = child(bs, typ); !ok {
			return box{}, false
		}
		from, to = x.body, x.end
	}
	return x, true
}

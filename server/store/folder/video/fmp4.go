package video

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Timescale is the segments' time unit (ticks a second), exact for the
// common frame rates.
const Timescale = 90000

// box is one MP4 box: its type and where it lies in the file.
type box struct {
	typ        string
	start, end int // the whole box
	body       int // after the header
}

// boxes lists the boxes in b[from:to].
func boxes(b []byte, from, to int) ([]box, error) {
	var bs []box
	for off := from; off < to; {
		if to-off < 8 {
			return nil, errors.New("truncated box header")
		}
		size, hdr := int(binary.BigEndian.Uint32(b[off:])), 8
		if size == 1 && to-off >= 16 {
			size, hdr = int(binary.BigEndian.Uint64(b[off+8:])), 16
		}
		if size < hdr || off+size > to {
			return nil, fmt.Errorf("box of %d bytes at %d overruns %d", size, off, to)
		}
		bs = append(bs, box{typ: string(b[off+4 : off+8]), start: off, end: off + size, body: off + hdr})
		off += size
	}
	return bs, nil
}

// child is the first box of typ in bs.
func child(bs []box, typ string) (box, bool) {
	for _, x := range bs {
		if x.typ == typ {
			return x, true
		}
	}
	return box{}, false
}

// initSize is the length of a fragmented MP4's initialisation section:
// the boxes before its first moof.
func initSize(b []byte) (int, error) {
	bs, err := boxes(b, 0, len(b))
	if err != nil {
		return 0, err
	}
	m, ok := child(bs, "moof")
	if !ok {
		return 0, errors.New("no movie fragment")
	}
	if _, ok := child(bs, "moov"); !ok {
		return 0, errors.New("no movie header")
	}
	return m.start, nil
}

// setLastDuration sets the duration of the last sample of a fragmented
// MP4 to ticks, in place: ffmpeg writes it as long as the one before it.
// A last fragment without per-sample durations is left as it is.
func setLastDuration(b []byte, ticks uint32) error {
	bs, err := boxes(b, 0, len(b))
	if err != nil {
		return err
	}
	var trun box
	found := false
	for _, x := range bs {
		if x.typ != "moof" {
			continue
		}
		if t, ok := lastTrun(b, x); ok {
			trun, found = t, true
		}
	}
	if !found {
		return errors.New("no track run")
	}
	return patchTrun(b, trun, ticks)
}

// lastTrun is the trun of moof's track fragment.
func lastTrun(b []byte, moof box) (box, bool) {
	inner, err := boxes(b, moof.body, moof.end)
	if err != nil {
		return box{}, false
	}
	traf, ok := child(inner, "traf")
	if !ok {
		return box{}, false
	}
	inner, err = boxes(b, traf.body, traf.end)
	if err != nil {
		return box{}, false
	}
	return child(inner, "trun")
}

// patchTrun writes ticks as the duration of trun's last sample.
func patchTrun(b []byte, trun box, ticks uint32) error {
	if trun.end-trun.body < 8 {
		return errors.New("short track run")
	}
	flags := binary.BigEndian.Uint32(b[trun.body:]) & 0xffffff
	if flags&0x100 == 0 {
		return nil // one default duration for every sample
	}
	count := int(binary.BigEndian.Uint32(b[trun.body+4:]))
	off := trun.body + 8
	for _, f := range []uint32{0x1, 0x4} { // data offset, first sample flags
		if flags&f != 0 {
			off += 4
		}
	}
	entry := 0
	for _, f := range []uint32{0x100, 0x200, 0x400, 0x800} {
		if flags&f != 0 {
			entry += 4
		}
	}
	last := off + (count-1)*entry
	if count == 0 || last+4 > trun.end {
		return errors.New("track run shorter than its samples")
	}
	binary.BigEndian.PutUint32(b[last:], ticks)
	return nil
}

// shiftTimes adds ticks to the decode time of every fragment, in place,
// so that a segment continues the timeline of those before it.
func shiftTimes(b []byte, ticks uint64) error {
	bs, err := boxes(b, 0, len(b))
	if err != nil {
		return err
	}
	for _, m := range bs {
		if m.typ != "moof" {
			continue
		}
		if err := shiftFragment(b, m, ticks); err != nil {
			return err
		}
	}
	return nil
}

// shiftFragment adds ticks to moof's tfdt.
func shiftFragment(b []byte, moof box, ticks uint64) error {
	inner, err := boxes(b, moof.body, moof.end)
	if err != nil {
		return err
	}
	traf, ok := child(inner, "traf")
	if !ok {
		return errors.New("fragment without a track")
	}
	if inner, err = boxes(b, traf.body, traf.end); err != nil {
		return err
	}
	tfdt, ok := child(inner, "tfdt")
	if !ok || tfdt.end-tfdt.body < 8 {
		return errors.New("fragment without its decode time")
	}
	if b[tfdt.body] == 1 && tfdt.end-tfdt.body >= 12 {
		p := b[tfdt.body+4:]
		binary.BigEndian.PutUint64(p, binary.BigEndian.Uint64(p)+ticks)
		return nil
	}
	p := b[tfdt.body+4:]
	t := uint64(binary.BigEndian.Uint32(p)) + ticks
	if t > 0xffffffff {
		return errors.New("decode time beyond a 32-bit field")
	}
	binary.BigEndian.PutUint32(p, uint32(t))
	return nil
}

// Package fmp4 reads and edits the fragmented MP4 that ffmpeg writes for
// a stream's video: its boxes, the initialisation section, a fragment's
// decode time, samples and their durations.
package fmp4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

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

// InitSize is the length of a fragmented MP4's initialisation section:
// the boxes before its first moof.
func InitSize(b []byte) (int, error) {
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

// SetLastDuration sets the duration of the last sample of a fragmented
// MP4 to ticks: ffmpeg writes it as long as the one before it. A track
// run without per-sample durations gets them (the fragment's default),
// so the returned MP4 may be longer than b.
func SetLastDuration(b []byte, ticks uint32) ([]byte, error) {
	moof, trun, def, err := lastRun(b)
	if err != nil {
		return nil, err
	}
	if binary.BigEndian.Uint32(b[trun.body:])&0x100 == 0 {
		if def == ticks {
			return b, nil
		}
		if b, err = withDurations(b, moof, trun, def); err != nil {
			return nil, err
		}
		if moof, trun, _, err = lastRun(b); err != nil {
			return nil, err
		}
	}
	return b, patchTrun(b, trun, ticks)
}

// lastRun is the last fragment of b, its track run and its default
// sample duration.
func lastRun(b []byte) (moof, trun box, def uint32, err error) {
	bs, err := boxes(b, 0, len(b))
	if err != nil {
		return box{}, box{}, 0, err
	}
	found := false
	for _, x := range bs {
		if x.typ != "moof" {
			continue
		}
		if t, ok := lastTrun(b, x); ok {
			moof, trun, found = x, t, true
		}
	}
	if !found || trun.end-trun.body < 8 {
		return box{}, box{}, 0, errors.New("no track run")
	}
	return moof, trun, defaultDuration(b, moof), nil
}

// lastTrun is the trun of moof's track fragment.
func lastTrun(b []byte, moof box) (box, bool) { return trafChild(b, moof, "trun") }

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

// SetDecodeTime sets the decode time of b's fragment (a segment has
// one) to ticks, in place, so that it continues the timeline of the
// segments before it.
func SetDecodeTime(b []byte, ticks uint64) error {
	bs, err := boxes(b, 0, len(b))
	if err != nil {
		return err
	}
	for _, m := range bs {
		if m.typ != "moof" {
			continue
		}
		if err := setFragmentTime(b, m, ticks); err != nil {
			return err
		}
	}
	return nil
}

// setFragmentTime sets moof's tfdt to ticks.
func setFragmentTime(b []byte, moof box, ticks uint64) error {
	tfdt, ok := trafChild(b, moof, "tfdt")
	if !ok || tfdt.end-tfdt.body < 8 {
		return errors.New("fragment without its decode time")
	}
	if b[tfdt.body] == 1 && tfdt.end-tfdt.body >= 12 {
		binary.BigEndian.PutUint64(b[tfdt.body+4:], ticks)
		return nil
	}
	if ticks > 0xffffffff {
		return errors.New("decode time beyond a 32-bit field")
	}
	binary.BigEndian.PutUint32(b[tfdt.body+4:], uint32(ticks))
	return nil
}

// defaultDuration is the default sample duration of moof's track
// fragment header, 0 when it has none.
func defaultDuration(b []byte, moof box) uint32 {
	tfhd, ok := trafChild(b, moof, "tfhd")
	if !ok || tfhd.end-tfhd.body < 8 {
		return 0
	}
	flags := binary.BigEndian.Uint32(b[tfhd.body:]) & 0xffffff
	off := tfhd.body + 8
	if flags&0x1 != 0 {
		off += 8
	}
	if flags&0x2 != 0 {
		off += 4
	}
	if flags&0x8 == 0 || off+4 > tfhd.end {
		return 0
	}
	return binary.BigEndian.Uint32(b[off:])
}

// trafChild is the first box of typ in moof's track fragment.
func trafChild(b []byte, moof box, typ string) (box, bool) {
	inner, err := boxes(b, moof.body, moof.end)
	if err != nil {
		return box{}, false
	}
	traf, ok := child(inner, "traf")
	if !ok {
		return box{}, false
	}
	if inner, err = boxes(b, traf.body, traf.end); err != nil {
		return box{}, false
	}
	return child(inner, typ)
}

// withDurations is b with trun (in moof) given a duration per sample,
// each def: the boxes around it grow and its data offset moves.
func withDurations(b []byte, moof, trun box, def uint32) ([]byte, error) {
	flags := binary.BigEndian.Uint32(b[trun.body:])
	count := int(binary.BigEndian.Uint32(b[trun.body+4:]))
	head := trun.body + 8
	if flags&0x1 != 0 {
		binary.BigEndian.PutUint32(b[head:], binary.BigEndian.Uint32(b[head:])+uint32(4*count))
		head += 4
	}
	if flags&0x4 != 0 {
		head += 4
	}
	entry := 0
	for _, f := range []uint32{0x200, 0x400, 0x800} {
		if flags&f != 0 {
			entry += 4
		}
	}
	if head+count*entry > trun.end {
		return nil, errors.New("track run shorter than its samples")
	}
	traf, _ := child(mustBoxes(b, moof.body, moof.end), "traf")
	for _, x := range []box{moof, traf, trun} {
		if x.body-x.start != 8 {
			return nil, errors.New("64-bit box sizes in a fragment")
		}
		binary.BigEndian.PutUint32(b[x.start:], uint32(x.end-x.start+4*count))
	}
	binary.BigEndian.PutUint32(b[trun.body:], flags|0x100)
	out := append(make([]byte, 0, len(b)+4*count), b[:head]...)
	for i := range count {
		out = binary.BigEndian.AppendUint32(out, def)
		out = append(out, b[head+i*entry:head+(i+1)*entry]...)
	}
	return append(out, b[head+count*entry:]...), nil
}

// mustBoxes is boxes(b, from, to), none when they cannot be read.
func mustBoxes(b []byte, from, to int) []box {
	bs, _ := boxes(b, from, to)
	return bs
}

// samples counts the samples of b's fragments and their length in
// ticks.
func Samples(b []byte) (int, int64, error) {
	bs, err := boxes(b, 0, len(b))
	if err != nil {
		return 0, 0, err
	}
	var n int
	var ticks int64
	for _, m := range bs {
		if m.typ != "moof" {
			continue
		}
		trun, ok := lastTrun(b, m)
		if !ok || trun.end-trun.body < 8 {
			return 0, 0, errors.New("fragment without a track run")
		}
		c, t, err := runTicks(b, trun, defaultDuration(b, m))
		if err != nil {
			return 0, 0, err
		}
		n, ticks = n+c, ticks+t
	}
	return n, ticks, nil
}

// runTicks is trun's sample count and their total duration.
func runTicks(b []byte, trun box, def uint32) (int, int64, error) {
	flags := binary.BigEndian.Uint32(b[trun.body:]) & 0xffffff
	count := int(binary.BigEndian.Uint32(b[trun.body+4:]))
	if flags&0x100 == 0 {
		return count, int64(count) * int64(def), nil
	}
	off := trun.body + 8
	for _, f := range []uint32{0x1, 0x4} {
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
	if off+count*entry > trun.end {
		return 0, 0, errors.New("track run shorter than its samples")
	}
	var t int64
	for i := range count {
		t += int64(binary.BigEndian.Uint32(b[off+i*entry:]))
	}
	return count, t, nil
}

// sample is one sample of a fragment: its decode time and bytes.
type sample struct {
	ticks, dur int64
	off, end   int
}

// fragmentSamples lists the samples of moof (whose data offsets count
// from moof: default-base-is-moof).
func fragmentSamples(b []byte, moof box) ([]sample, error) {
	tfdt, ok1 := trafChild(b, moof, "tfdt")
	trun, ok2 := trafChild(b, moof, "trun")
	if !ok1 || !ok2 || tfdt.end-tfdt.body < 8 || trun.end-trun.body < 8 {
		return nil, errors.New("fragment without decode time or track run")
	}
	t := int64(binary.BigEndian.Uint32(b[tfdt.body+4:]))
	if b[tfdt.body] == 1 && tfdt.end-tfdt.body >= 12 {
		t = int64(binary.BigEndian.Uint64(b[tfdt.body+4:]))
	}
	flags := binary.BigEndian.Uint32(b[trun.body:]) & 0xffffff
	count := int(binary.BigEndian.Uint32(b[trun.body+4:]))
	if flags&0x1 == 0 || flags&0x200 == 0 {
		return nil, errors.New("track run without data offset or sample sizes")
	}
	data := moof.start + int(int32(binary.BigEndian.Uint32(b[trun.body+8:])))
	off := trun.body + 12
	if flags&0x4 != 0 {
		off += 4
	}
	fields := []uint32{0x100, 0x200, 0x400, 0x800}
	entry := 0
	for _, f := range fields {
		if flags&f != 0 {
			entry += 4
		}
	}
	if off+count*entry > trun.end {
		return nil, errors.New("track run shorter than its samples")
	}
	def := int64(defaultDuration(b, moof))
	ss := make([]sample, 0, count)
	for i := range count {
		e := off + i*entry
		dur := def
		if flags&0x100 != 0 {
			dur, e = int64(binary.BigEndian.Uint32(b[e:])), e+4
		}
		size := int(binary.BigEndian.Uint32(b[e:]))
		if data+size > len(b) {
			return nil, errors.New("sample beyond the segment")
		}
		ss = append(ss, sample{ticks: t, dur: dur, off: data, end: data + size})
		t, data = t+dur, data+size
	}
	return ss, nil
}

// FindBox is the body of the first box of typ found in b by its name.
func FindBox(b []byte, typ string) ([]byte, bool) {
	i := bytes.Index(b, []byte(typ))
	if i < 4 {
		return nil, false
	}
	size := int(binary.BigEndian.Uint32(b[i-4:]))
	if size < 8 || i-4+size > len(b) {
		return nil, false
	}
	return b[i+4 : i-4+size], true
}

// ReadBox reads one whole MP4 box.
func ReadBox(r io.Reader) (string, []byte, error) {
	head := make([]byte, 8)
	if _, err := io.ReadFull(r, head); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return "", nil, errors.New("video encoder output ends inside a box")
		}
		return "", nil, err
	}
	size := uint64(binary.BigEndian.Uint32(head))
	if size == 1 {
		ext := make([]byte, 8)
		if _, err := io.ReadFull(r, ext); err != nil {
			return "", nil, fmt.Errorf("video encoder output: %w", err)
		}
		head, size = append(head, ext...), binary.BigEndian.Uint64(ext)
	}
	if size < uint64(len(head)) || size > 1<<32 {
		return "", nil, fmt.Errorf("video encoder output: box of %d bytes", size)
	}
	b := make([]byte, size)
	copy(b, head)
	if _, err := io.ReadFull(r, b[len(head):]); err != nil {
		return "", nil, fmt.Errorf("video encoder output: %w", err)
	}
	return string(head[4:8]), b, nil
}

// WriteFragments writes the moof and mdat boxes of b after from.
func WriteFragments(w io.Writer, b []byte, from int) error {
	bs, err := boxes(b, from, len(b))
	if err != nil {
		return err
	}
	for _, x := range bs {
		if x.typ != "moof" && x.typ != "mdat" {
			continue
		}
		if _, err := w.Write(b[x.start:x.end]); err != nil {
			return err
		}
	}
	return nil
}

// EachSample calls fn with every sample of b's fragments, in order: its
// decode time, duration and bytes.
func EachSample(b []byte, fn func(ticks, dur int64, data []byte) error) error {
	bs, err := boxes(b, 0, len(b))
	if err != nil {
		return err
	}
	for _, m := range bs {
		if m.typ != "moof" {
			continue
		}
		ss, err := fragmentSamples(b, m)
		if err != nil {
			return err
		}
		for _, x := range ss {
			if err := fn(x.ticks, x.dur, b[x.off:x.end]); err != nil {
				return err
			}
		}
	}
	return nil
}

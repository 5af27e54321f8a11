// Package fmp4 reads and edits the fragmented MP4 that ffmpeg writes for
// a stream's video: its boxes, the initialisation section, a fragment's
// decode time, samples and their durations.
package fmp4

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
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

// SetDecodeTime sets the decode time of b's fragment (a segment has
// one) to ticks, in place, so that it continues the timeline of the
// segments before it.
func SetDecodeTime(b []byte, ticks uint64) error {
	moofs, err := fragments(b)
	if err != nil {
		return err
	}
	for _, m := range moofs {
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
	flags := be32(b, tfhd.body) & 0xffffff
	off := tfhd.body + 8 + 2*fieldBytes(flags, 0x1) + fieldBytes(flags, 0x2) // base data offset, description
	if flags&0x8 == 0 || off+4 > tfhd.end {
		return 0
	}
	return be32(b, off)
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

// mustBoxes is boxes(b, from, to), none when they cannot be read.
func mustBoxes(b []byte, from, to int) []box {
	bs, _ := boxes(b, from, to)
	return bs
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
	moofs, err := fragments(b)
	if err != nil {
		return err
	}
	for _, m := range moofs {
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

// trackRun is a trun's layout: its flags, sample count, where its
// per-sample entries start and their size.
type trackRun struct {
	box
	flags               uint32
	count, first, entry int
}

// parseRun reads trun's layout, its entries checked to lie inside it.
func parseRun(b []byte, trun box) (trackRun, error) {
	if trun.end-trun.body < 8 {
		return trackRun{}, errors.New("short track run")
	}
	r := trackRun{box: trun, flags: be32(b, trun.body) & 0xffffff, count: int(be32(b, trun.body+4))}
	r.first = trun.body + 8 + fieldBytes(r.flags, 0x1, 0x4) // data offset, first sample's flags
	r.entry = fieldBytes(r.flags, 0x100, 0x200, 0x400, 0x800)
	if r.first+r.count*r.entry > trun.end {
		return trackRun{}, errors.New("track run shorter than its samples")
	}
	return r, nil
}

// fieldBytes is the size of those of the 4-byte fields fs that flags
// has.
func fieldBytes(flags uint32, fs ...uint32) int {
	n := 0
	for _, f := range fs {
		if flags&f != 0 {
			n += 4
		}
	}
	return n
}

// be32 is the big-endian uint32 at b[off:].
func be32(b []byte, off int) uint32 { return binary.BigEndian.Uint32(b[off:]) }

// hasDurations says the run has a duration per sample.
func (r trackRun) hasDurations() bool { return r.flags&0x100 != 0 }

// duration is sample i's duration, def when the run has none of its own.
func (r trackRun) duration(b []byte, i int, def uint32) uint32 {
	if !r.hasDurations() {
		return def
	}
	return be32(b, r.first+i*r.entry)
}

// SetLastDuration sets the duration of the last sample of a fragmented
// MP4 to ticks: ffmpeg writes it as long as the one before it. A track
// run without per-sample durations gets them (the fragment's default),
// so the returned MP4 may be longer than b.
func SetLastDuration(b []byte, ticks uint32) ([]byte, error) {
	moof, run, def, err := lastRun(b)
	if err == nil && !run.hasDurations() && def != ticks {
		if b, err = withDurations(b, moof, run, def); err == nil {
			moof, run, _, err = lastRun(b)
		}
	}
	if err != nil || !run.hasDurations() {
		return b, err
	}
	if run.count == 0 {
		return nil, errors.New("track run without samples")
	}
	binary.BigEndian.PutUint32(b[run.first+(run.count-1)*run.entry:], ticks)
	return b, nil
}

// lastRun is the last fragment of b, its track run and its default
// sample duration.
func lastRun(b []byte) (box, trackRun, uint32, error) {
	moofs, err := fragments(b)
	if err != nil || len(moofs) == 0 {
		return box{}, trackRun{}, 0, errors.Join(errors.New("no movie fragment"), err)
	}
	moof := moofs[len(moofs)-1]
	run, err := fragmentRun(b, moof)
	return moof, run, defaultDuration(b, moof), err
}

// fragments are the moof boxes of b.
func fragments(b []byte) ([]box, error) {
	bs, err := boxes(b, 0, len(b))
	return slices.DeleteFunc(bs, func(x box) bool { return x.typ != "moof" }), err
}

// fragmentRun is the track run of moof's track fragment.
func fragmentRun(b []byte, moof box) (trackRun, error) {
	trun, ok := trafChild(b, moof, "trun")
	if !ok {
		return trackRun{}, errors.New("fragment without a track run")
	}
	return parseRun(b, trun)
}

// withDurations is b with run (in moof) given a duration per sample,
// each def: the boxes around it grow and its data offset moves.
func withDurations(b []byte, moof box, run trackRun, def uint32) ([]byte, error) {
	grow := 4 * run.count
	traf, _ := child(mustBoxes(b, moof.body, moof.end), "traf")
	for _, x := range []box{moof, traf, run.box} {
		if x.body-x.start != 8 {
			return nil, errors.New("64-bit box sizes in a fragment")
		}
		binary.BigEndian.PutUint32(b[x.start:], uint32(x.end-x.start+grow))
	}
	binary.BigEndian.PutUint32(b[run.body:], be32(b, run.body)|0x100)
	if run.flags&0x1 != 0 { // the data offset counts from moof
		binary.BigEndian.PutUint32(b[run.body+8:], be32(b, run.body+8)+uint32(grow))
	}
	out := append(make([]byte, 0, len(b)+grow), b[:run.first]...)
	for i := range run.count {
		out = binary.BigEndian.AppendUint32(out, def)
		out = append(out, b[run.first+i*run.entry:run.first+(i+1)*run.entry]...)
	}
	return append(out, b[run.first+run.count*run.entry:]...), nil
}

// Samples counts the samples of b's fragments and their length in
// ticks.
func Samples(b []byte) (int, int64, error) {
	moofs, err := fragments(b)
	var n int
	var ticks int64
	for _, m := range moofs {
		run, rerr := fragmentRun(b, m)
		if err = errors.Join(err, rerr); err != nil {
			return 0, 0, err
		}
		def := defaultDuration(b, m)
		for i := range run.count {
			ticks += int64(run.duration(b, i, def))
		}
		n += run.count
	}
	return n, ticks, err
}

// sample is one sample of a fragment: its decode time, duration and
// bytes.
type sample struct {
	ticks, dur int64
	off, end   int
}

// fragmentSamples lists the samples of moof (whose data offsets count
// from moof: default-base-is-moof).
func fragmentSamples(b []byte, moof box) ([]sample, error) {
	tfdt, ok := trafChild(b, moof, "tfdt")
	run, err := fragmentRun(b, moof)
	if err != nil || !ok || tfdt.end-tfdt.body < 8 || run.flags&0x1 == 0 || run.flags&0x200 == 0 {
		return nil, errors.Join(errors.New("fragment without decode time, data offset or sample sizes"), err)
	}
	t := int64(be32(b, tfdt.body+4))
	if b[tfdt.body] == 1 && tfdt.end-tfdt.body >= 12 {
		t = int64(binary.BigEndian.Uint64(b[tfdt.body+4:]))
	}
	data, def := moof.start+int(int32(be32(b, run.body+8))), defaultDuration(b, moof)
	sizeAt := fieldBytes(run.flags, 0x100)
	ss := make([]sample, 0, run.count)
	for i := range run.count {
		dur, size := int64(run.duration(b, i, def)), int(be32(b, run.first+i*run.entry+sizeAt))
		if data < 0 || data+size > len(b) {
			return nil, errors.New("sample beyond the segment")
		}
		ss = append(ss, sample{ticks: t, dur: dur, off: data, end: data + size})
		t, data = t+dur, data+size
	}
	return ss, nil
}

package journal

import (
	"encoding/json"
	"hash/crc32"
	"slices"
	"sort"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/core"
)

// recorded is what a predictions file holds: its frames, the highest
// track id, the distinct track ids per label, and its number of lines and
// bytes.
type recorded struct {
	done        []*pb.SeqRange // frames, as sorted half-open ranges
	lastTrackID int64
	tracks      core.TrackIDs
	lines       int64
	size        int64
	crc         uint32 // CRC-32C of the lines
}

// add takes l, read from raw, one line with its newline.
func (r *recorded) add(l line, raw []byte) {
	r.lines++
	r.size += int64(len(raw))
	r.crc = crc32.Update(r.crc, crcTable(), raw)
	r.done = addSeq(r.done, l.Seq)
	for _, d := range l.Detections {
		r.lastTrackID = max(r.lastTrackID, d.TrackID)
		r.tracks.Add(d.Label, d.TrackID)
	}
}

// crcTable is the table of CRC-32C, the checksum a checkpoint keeps.
func crcTable() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }

// has says whether frame seq has a line.
func (r *recorded) has(seq int64) bool { return inRanges(r.done, seq) }

// frames is a copy of done, which later lines do not change.
func (r *recorded) frames() []*pb.SeqRange {
	out := make([]*pb.SeqRange, len(r.done))
	for i, d := range r.done {
		out[i] = &pb.SeqRange{Start: d.Start, End: d.End}
	}
	return out
}

// line is what the store reads of a predictions line: its frame and the
// detections' tracks.
type line struct {
	Seq        int64     `json:"seq"`
	Detections []trackOf `json:"detections"`
}

// trackOf is a detection's label and track id.
type trackOf struct {
	Label   string `json:"label"`
	TrackID int64  `json:"track_id"`
}

// parseLine decodes one predictions line. ok is false for a line that is
// not one JSON object with a seq.
func parseLine(b []byte) (l line, ok bool) {
	var p struct {
		line
		Seq *int64 `json:"seq"` // shadows line.Seq, to tell a missing seq from 0
	}
	if json.Unmarshal(b, &p) != nil || p.Seq == nil {
		return l, false
	}
	p.line.Seq = *p.Seq
	return p.line, true
}

// inRanges says whether seq is in the sorted half-open ranges rs.
func inRanges(rs []*pb.SeqRange, seq int64) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].End > seq })
	return i < len(rs) && rs[i].Start <= seq
}

// addSeq puts seq into the sorted half-open ranges rs, in place: frames
// come mostly in order, so a line usually extends a range without
// allocating, and the ranges stay as few as the gaps between the frames
// (a long live run does not hold one entry per frame).
func addSeq(rs []*pb.SeqRange, seq int64) []*pb.SeqRange {
	i := sort.Search(len(rs), func(i int) bool { return rs[i].End >= seq })
	switch {
	case i == len(rs):
	case rs[i].End == seq:
		rs[i].End++
		if i+1 < len(rs) && rs[i+1].Start == rs[i].End {
			rs[i].End = rs[i+1].End
			rs = slices.Delete(rs, i+1, i+2)
		}
		return rs
	case rs[i].Start <= seq:
		return rs
	case rs[i].Start == seq+1:
		rs[i].Start--
		return rs
	}
	return slices.Insert(rs, i, &pb.SeqRange{Start: seq, End: seq + 1})
}

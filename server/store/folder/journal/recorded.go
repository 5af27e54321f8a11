package journal

import (
	"cmp"
	"encoding/json"
	"hash/crc32"
	"maps"
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
	fresh       map[int64]bool // frames added since done was last folded
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
	if r.fresh == nil {
		r.fresh = map[int64]bool{}
	}
	r.fresh[l.Seq] = true
	for _, d := range l.Detections {
		r.lastTrackID = max(r.lastTrackID, d.TrackID)
		r.tracks.Add(d.Label, d.TrackID)
	}
}

// crcTable is the table of CRC-32C, the checksum a checkpoint keeps.
func crcTable() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }

// has says whether frame seq has a line.
func (r *recorded) has(seq int64) bool {
	return r.fresh[seq] || inRanges(r.done, seq)
}

// frames folds the frames added into done and returns it.
func (r *recorded) frames() []*pb.SeqRange {
	if len(r.fresh) > 0 {
		r.done = unionRanges(r.done, seqRanges(slices.Collect(maps.Keys(r.fresh))))
		r.fresh = nil
	}
	return r.done
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

// seqRanges folds sequence numbers into sorted half-open ranges.
func seqRanges(seqs []int64) []*pb.SeqRange {
	slices.Sort(seqs)
	seqs = slices.Compact(seqs)
	var out []*pb.SeqRange
	for _, s := range seqs {
		if n := len(out); n > 0 && out[n-1].End == s {
			out[n-1].End++
			continue
		}
		out = append(out, &pb.SeqRange{Start: s, End: s + 1})
	}
	return out
}

// unionRanges merges two lists of sorted half-open ranges into one.
func unionRanges(a, b []*pb.SeqRange) []*pb.SeqRange {
	all := slices.Concat(a, b)
	slices.SortFunc(all, func(x, y *pb.SeqRange) int { return cmp.Compare(x.Start, y.Start) })
	var out []*pb.SeqRange
	for _, r := range all {
		if n := len(out); n > 0 && r.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, r.End)
			continue
		}
		out = append(out, &pb.SeqRange{Start: r.Start, End: r.End})
	}
	return out
}

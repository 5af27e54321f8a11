package stream

import (
	"sort"

	pb "github.com/framewire/framewire/proto"
)

// seqSet is a sorted list of half-open ranges of sequence numbers, as the
// server reports them in StreamReady.done. Read-only.
type seqSet []*pb.SeqRange

// has reports whether seq lies in one of the ranges.
func (s seqSet) has(seq int64) bool {
	i := sort.Search(len(s), func(i int) bool { return s[i].GetEnd() > seq })
	return i < len(s) && s[i].GetStart() <= seq
}

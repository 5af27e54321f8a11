package storetest

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"slices"
	"sync"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/core"
)

// finite is a run of a video file of 1000 frames, told apart from others
// by its source.
func finite(runID, source string) record.Run {
	return record.Run{RunID: runID, SourceSpec: source, FrameCount: 1000, Model: record.Model{Kind: "mean"},
		Options: record.RunOptions{SaveEvery: 1}}
}

// live is a camera's run.
func live(runID string) record.Run {
	return record.Run{RunID: runID, SourceSpec: "/dev/video0", Live: true, Model: record.Model{Kind: "mean"},
		Options: record.RunOptions{SaveEvery: 1}}
}

// imageOf is frame seq's image: its own bytes, some kilobytes long, so
// that a torn one shows.
func imageOf(seq int64) []byte {
	head := fmt.Sprintf("image of frame %d;", seq)
	return append([]byte(head), bytes.Repeat([]byte{byte(seq)}, 4096+int(seq%7)*1000)...)
}

// output is an Output the suite holds; Close may be called more than
// once (the test's end closes what a test left open).
type output struct {
	core.Output
	once sync.Once
	err  error
}

func (o *output) Close() error {
	o.once.Do(func() { o.err = o.Output.Close() })
	return o.err
}

// open opens name in s for run or fails the test; the output is closed
// when the test ends.
func open(t *testing.T, s core.Store, name string, run record.Run, policy pb.ExistPolicy) *output {
	t.Helper()
	out, err := s.Open(context.Background(), name, run, policy)
	if err != nil {
		t.Fatalf("open stream %q: %v", name, err)
	}
	o := &output{Output: out}
	t.Cleanup(func() { o.Close() })
	return o
}

// closeOut closes o or fails the test.
func closeOut(t *testing.T, o *output) {
	t.Helper()
	if err := o.Close(); err != nil {
		t.Fatalf("close stream %q: %v", o.Name(), err)
	}
}

// recordFrame writes frame seq's image (when withImage) and then its line,
// as the service does, and returns the line.
func recordFrame(t *testing.T, o core.Output, seq int64, withImage bool, tracks ...record.Box) record.Frame {
	t.Helper()
	rec := record.Frame{Seq: seq, Width: 64, Height: 48, Channel: 3, Detections: tracks}
	if withImage {
		p, err := o.WriteImage(seq, imageOf(seq))
		if err != nil {
			t.Fatalf("write image %d: %v", seq, err)
		}
		rec.Image = path.Base(p)
	}
	if err := o.Append(rec); err != nil {
		t.Fatalf("append frame %d: %v", seq, err)
	}
	return rec
}

// recordAll records frames [from, to) with their images, skipping those
// o says are recorded, as a resumed call does.
func recordAll(t *testing.T, o core.Output, from, to int64) {
	t.Helper()
	for seq := from; seq < to; seq++ {
		if !o.Recorded(seq) {
			recordFrame(t, o, seq, true)
		}
	}
}

// seqsOf lists the frames of lines, in their order.
func seqsOf(lines []record.Frame) []int64 {
	seqs := make([]int64, len(lines))
	for i, l := range lines {
		seqs[i] = l.Seq
	}
	return seqs
}

// span lists start, start+1, ..., end-1.
func span(start, end int64) []int64 {
	var s []int64
	for seq := start; seq < end; seq++ {
		s = append(s, seq)
	}
	return s
}

// checkLines wants stream name's lines to be the frames want, once each
// and in that order.
func checkLines(t *testing.T, b Backend, place, name string, want []int64) {
	t.Helper()
	if got := seqsOf(b.Lines(t, place, name)); !slices.Equal(got, want) {
		t.Errorf("stream %q: lines of frames %v, want %v", name, got, want)
	}
}

// rangesText shows ranges as [a,b) [c,d).
func rangesText(rs []*pb.SeqRange) string {
	var buf bytes.Buffer
	for i, r := range rs {
		if i > 0 {
			buf.WriteByte(' ')
		}
		fmt.Fprintf(&buf, "[%d,%d)", r.GetStart(), r.GetEnd())
	}
	return buf.String()
}

// checkDone wants o to say that the frames want (as ranges text) are
// done.
func checkDone(t *testing.T, o core.Output, want string) {
	t.Helper()
	if got := rangesText(o.Done()); got != want {
		t.Errorf("stream %q: done %q, want %q", o.Name(), got, want)
	}
}

// rangesOf folds frames into sorted half-open ranges, as Done gives them.
func rangesOf(seqs []int64) []*pb.SeqRange {
	sorted := slices.Clone(seqs)
	slices.Sort(sorted)
	var rs []*pb.SeqRange
	for _, seq := range slices.Compact(sorted) {
		if n := len(rs); n > 0 && rs[n-1].End == seq {
			rs[n-1].End++
			continue
		}
		rs = append(rs, &pb.SeqRange{Start: seq, End: seq + 1})
	}
	return rs
}

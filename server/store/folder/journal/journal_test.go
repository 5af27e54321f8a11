package journal

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/framewire/framewire/internal/rootfile"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
)

// openJournal opens the predictions file of folder "s" under store
// folder dir, closed (without a checkpoint) when the test ends.
func openJournal(t *testing.T, dir string) *File {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	if err := root.MkdirAll("s", 0o777); err != nil {
		t.Fatal(err)
	}
	j, err := Open(root, "s", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.f.Close() })
	return j
}

// finished is a store folder whose "s" had n frames appended by a call
// that closed.
func finished(t *testing.T, n int64) (dir string) {
	t.Helper()
	dir = t.TempDir()
	j := openJournal(t, dir)
	for seq := range n {
		if err := j.Append(record.Frame{Seq: seq, Detections: []record.Box{{Label: "car", TrackID: seq/10 + 1}}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(true); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fitOf is how the checkpoint of dir's "s" fits its predictions file.
func fitOf(t *testing.T, dir string) fit {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	c, ok := readCheckpoint(root, "s")
	if !ok {
		return fitNone
	}
	f, err := root.Open("s/" + FileName)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return c.fits(f)
}

func editPredictions(t *testing.T, dir string, edit func(string) string) {
	t.Helper()
	p := filepath.Join(dir, "s", FileName)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(edit(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The checkpoint is trusted only while the bytes it covers are the same:
// lines appended after it are read on, any change before its end (even
// one that keeps the size, far from the end) makes the file read whole.
func TestCheckpointFitsOnlyTheFileItDescribes(t *testing.T) {
	dir := finished(t, 2000)
	if got := fitOf(t, dir); got != fitExact {
		t.Fatalf("after Close: fit %d, want exact (%d)", got, fitExact)
	}
	editPredictions(t, dir, func(s string) string { return s + `{"seq":2000}` + "\n" })
	if got := fitOf(t, dir); got != fitPrefix {
		t.Errorf("after an append: fit %d, want prefix (%d)", got, fitPrefix)
	}
	editPredictions(t, dir, func(s string) string { return strings.Replace(s, `"seq":3,`, `"seq":4,`, 1) })
	if got := fitOf(t, dir); got != fitNone {
		t.Errorf("after an edit of line 4: fit %d, want none (%d)", got, fitNone)
	}
}

// Reopening from a checkpoint, with lines appended after it, records the
// same frames and tracks as reading the file whole; a damaged checkpoint
// is ignored.
func TestReopenFromCheckpointRecordsWhatTheFileHolds(t *testing.T) {
	dir := finished(t, 500)
	editPredictions(t, dir, func(s string) string {
		return s + `{"seq":600,"detections":[{"label":"dog","track_id":99}]}` + "\n"
	})
	check := func(what string) {
		j := openJournal(t, dir)
		want := []*pb.SeqRange{{Start: 0, End: 500}, {Start: 600, End: 601}}
		if got := j.Frames(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: done %v, want %v", what, got, want)
		}
		if got := j.TrackCounts(); got["car"] != 50 || got["dog"] != 1 || j.LastTrackID() != 99 {
			t.Errorf("%s: tracks %v, last %d; want 50 cars, 1 dog, last 99", what, got, j.LastTrackID())
		}
	}
	check("from the checkpoint")
	if err := os.WriteFile(filepath.Join(dir, "s", checkpointFile), []byte(`{"size":`), 0o644); err != nil {
		t.Fatal(err)
	}
	check("with a damaged checkpoint")
}

// Temporary files a crash left are removed on reopen.
func TestReopenAfterACrashSweepsTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	openJournal(t, dir) // and a crash: no Close
	stale := filepath.Join(dir, "s", rootfile.TmpPrefix+"stale")
	if err := os.WriteFile(stale, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	openJournal(t, dir)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("%s after reopening: %v, want it removed", stale, err)
	}
}

func TestAppendLineFailureLeavesNoHalfLine(t *testing.T) {
	f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	j := &File{f: f, rec: &recorded{}}
	if err := j.Append(record.Frame{Seq: 1}); err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("append to a full disk: %v", err)
	}
	if j.rec.size != 0 {
		t.Errorf("size %d after a failed append", j.rec.size)
	}
	f.Close()
}

// rangesOf is the sorted half-open ranges of the set seqs, the slow way.
func rangesOf(seqs map[int64]bool) []*pb.SeqRange {
	var out []*pb.SeqRange
	for s := range int64(64) {
		switch n := len(out); {
		case !seqs[s]:
		case n > 0 && out[n-1].End == s:
			out[n-1].End++
		default:
			out = append(out, &pb.SeqRange{Start: s, End: s + 1})
		}
	}
	return out
}

// Frames appended in any order, with repeats, fold into the same ranges
// as the set of them; the ranges handed out do not change afterwards.
func TestFramesFoldIntoRangesInAnyOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 500 {
		rec := &recorded{}
		set := map[int64]bool{}
		for range rng.IntN(40) {
			seq := rng.Int64N(64)
			rec.add(line{Seq: seq}, []byte("{}\n"))
			set[seq] = true
			if got, want := fmt.Sprint(rec.frames()), fmt.Sprint(rangesOf(set)); got != want {
				t.Fatalf("trial %d, after frame %d: %s, want %s", trial, seq, got, want)
			}
		}
	}
	rec := &recorded{}
	rec.add(line{Seq: 0}, []byte("{}\n"))
	before := rec.frames()
	rec.add(line{Seq: 1}, []byte("{}\n"))
	if got := fmt.Sprint(before); got != fmt.Sprint([]*pb.SeqRange{{Start: 0, End: 1}}) {
		t.Errorf("ranges handed out changed to %s by a later frame", got)
	}
}

// A long run of frames in order, as a live stream appends them, is held
// as one range, not one entry per frame.
func TestFramesInOrderAreOneRange(t *testing.T) {
	rec := &recorded{}
	for seq := range int64(100000) {
		rec.add(line{Seq: seq}, []byte("{}\n"))
	}
	if len(rec.done) != 1 || rec.done[0].End != 100000 {
		t.Errorf("done %v, want the one range [0, 100000)", rec.done)
	}
}

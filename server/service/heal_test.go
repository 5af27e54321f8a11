package service

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/store/folder"
)

// A predictions file damaged in the middle (a garbage line, a line cut
// short, a line after a run of NULs) heals on resume: the damaged lines
// are set aside in a file of their own, their frames are redone, and the
// file is valid JSON lines again, one per frame.
func TestDamagedPredictionsHealOnResume(t *testing.T) {
	out := t.TempDir()
	srv := serve(t, out, Config{})
	hdr := func() *pb.StreamHeader {
		return &pb.StreamHeader{Name: "clip", Source: "clip.avi", FrameCount: 10, SourceFingerprint: "f1"}
	}
	if _, err := runStream(t, srv.rpc, hdr(), 10); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(out, "clip", folder.PredictionsFile)
	lines := readLines(t, file)
	lines[3] = "garbage, not JSON"
	lines[5] = lines[5][:20]
	lines[7] = strings.Repeat("\x00", 300) + lines[7]
	damaged := []string{lines[3], lines[5], lines[7]}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	sum, err := runStream(t, srv.rpc, hdr(), 10)
	if err != nil || sum.Processed != 3 || sum.Skipped != 7 {
		t.Errorf("resume: %v, processed %d, skipped %d; want the 3 frames whose lines were damaged redone, 7 skipped", err, sum.Processed, sum.Skipped)
	}
	var seqs []int64
	for i, l := range readLines(t, file) {
		var r record.Frame
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Errorf("line %d after healing: %v", i+1, err)
		}
		seqs = append(seqs, r.Seq)
	}
	slices.Sort(seqs)
	if want := []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}; !slices.Equal(seqs, want) {
		t.Errorf("frames in %s: %v, want %v, one line each", folder.PredictionsFile, seqs, want)
	}
	aside, _ := filepath.Glob(filepath.Join(out, "clip", "predictions.damaged-*.jsonl"))
	if len(aside) != 1 {
		t.Fatalf("set-aside files %v, want one", aside)
	}
	if got := readLines(t, aside[0]); !slices.Equal(got, damaged) {
		t.Errorf("set aside: %q, want the damaged lines %q", got, damaged)
	}
	if log := srv.log.String(); !strings.Contains(log, "set aside") || !strings.Contains(log, "lines=\"4, 6, 8\"") {
		t.Errorf("log %q, want a line saying lines 4, 6, 8 were set aside", log)
	}
}

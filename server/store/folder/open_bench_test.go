package folder

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/record"
)

// longRun is a finished run of n frames in root/name, each with its line
// (two detections, timings) and a one-byte image.
func longRun(tb testing.TB, root, name string, n int64) record.Run {
	tb.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		tb.Fatal(err)
	}
	run := record.Run{RunID: "long", SourceSpec: "long.mp4", FrameCount: n, Model: record.Model{Kind: "nanodet"}}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), manifestJSON(tb, run), 0o666); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, PredictionsFile))
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	for seq := range n {
		rec := record.Frame{Seq: seq, CaptureUnixNano: 1700000000000000000 + seq*33333333, Width: 1280, Height: 720, Channel: 3, Mean: 97.5,
			Image:      ImageName(seq),
			Detections: []record.Box{{Label: "person", ClassID: 0, Score: 0.87, Box: [4]float32{10, 20, 30, 40}, TrackID: seq/100 + 1}, {Label: "car", ClassID: 2, Score: 0.55, Box: [4]float32{100, 200, 300, 40}}},
			TimingsUs:  &pb.StageTimings{QueueUs: 40, DecodeUs: 1200, InferenceUs: 25000, AnnotateUs: 300, WriteUs: 2100}}
		if err := enc.Encode(rec); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ImageName(seq)), []byte{0xff}, 0o666); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return run
}

// BenchmarkOpenLongRun opens a finished 200,000-frame run again, as a
// no-op re-run does: from its checkpoint, and read whole (no checkpoint,
// as the first open after an upgrade). FRAMEWIRE_BENCH_DIR keeps the
// folder between runs (it takes a while to make).
func BenchmarkOpenLongRun(b *testing.B) {
	root := os.Getenv("FRAMEWIRE_BENCH_DIR")
	if root == "" {
		root = b.TempDir()
	}
	run := record.Run{RunID: "long", SourceSpec: "long.mp4", FrameCount: 200000, Model: record.Model{Kind: "nanodet"}}
	if _, err := os.Stat(filepath.Join(root, "long", PredictionsFile)); err != nil {
		run = longRun(b, root, "long", 200000)
	}
	s, err := New(root, 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Run("checkpointed", func(b *testing.B) {
		openLongRun(b, s, run) // makes the checkpoint
		for b.Loop() {
			openLongRun(b, s, run)
		}
	})
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			if err := os.Remove(filepath.Join(root, "long", ".predictions.checkpoint.json")); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			openLongRun(b, s, run)
		}
	})
}

// openLongRun opens and closes the run of BenchmarkOpenLongRun.
func openLongRun(b *testing.B, s *Store, run record.Run) {
	out, err := s.Open(context.Background(), "long", run, pb.ExistPolicy_EXIST_RESUME)
	if err != nil {
		b.Fatal(err)
	}
	if got := out.Done(); len(got) != 1 || got[0].End != 200000 {
		b.Fatalf("done %v, want [0, 200000)", got)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
}

func manifestJSON(tb testing.TB, run record.Run) []byte {
	b, err := json.Marshal(run)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

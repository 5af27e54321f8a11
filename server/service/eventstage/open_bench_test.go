package eventstage_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/framewire/framewire/server/store/folder"
)

// BenchmarkOpen measures opening a counted stream of 20,000 recorded
// frames: "checkpoint" from the checkpoint saved at its close (no frame
// to replay), "whole" without it (every frame replayed), as before
// checkpoints.
func BenchmarkOpen(b *testing.B) {
	const n = 20000
	dir := b.TempDir()
	c := open(b, dir)
	c.feed(b, 0, n)
	c.stage.Close()
	c.out.Close()
	cp := filepath.Join(dir, "cam", folder.CountCheckpointFile)
	saved, err := os.ReadFile(cp)
	if err != nil {
		b.Fatal(err)
	}
	for _, whole := range []bool{false, true} {
		b.Run(map[bool]string{false: "checkpoint", true: "whole"}[whole], func(b *testing.B) {
			for b.Loop() {
				if whole {
					os.Remove(cp)
				} else {
					os.WriteFile(cp, saved, 0o644)
				}
				again := open(b, dir)
				b.ReportMetric(float64(again.replayed), "frames_replayed")
				again.out.Close()
			}
		})
	}
}

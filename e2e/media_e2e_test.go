package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/framewire/framewire/internal/capturecmd"
)

// makeClip encodes frames of lavfi test pattern src at size as H.264 into
// dir/name (the extension picks the container), with noise so that every
// frame differs from the one before, as a camera's do.
func makeClip(t *testing.T, dir, name, src, size string, frames int) string {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is needed to make test media (apt-get install ffmpeg)")
	}
	path := filepath.Join(dir, name)
	cmd := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", fmt.Sprintf("%s=size=%s:rate=25", src, size),
		"-vf", "noise=alls=40:allf=t", "-frames:v", fmt.Sprint(frames),
		"-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", name, err, out)
	}
	return path
}

// writeBytes writes b to dir/name and returns its path.
func writeBytes(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// predictionLine is what the test reads of a predictions.jsonl line.
type predictionLine struct {
	Seq    int64   `json:"seq"`
	Width  int32   `json:"width"`
	Height int32   `json:"height"`
	Mean   float64 `json:"mean"`
	Error  string  `json:"error"`
}

// readPredictions parses the predictions file of folder dir.
func readPredictions(t *testing.T, dir string) []predictionLine {
	t.Helper()
	var ps []predictionLine
	for _, l := range strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dir, "predictions.jsonl"))), "\n") {
		var p predictionLine
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("bad predictions line %q: %v", l, err)
		}
		ps = append(ps, p)
	}
	return ps
}

// sourceEnded is the early end a run's manifest records.
type sourceEnded struct {
	FramesRead     int64  `json:"frames_read"`
	FramesDeclared int64  `json:"frames_declared"`
	Reason         string `json:"reason"`
}

// readSourceEnded is the early end dir's run.json records; nil when none.
func readSourceEnded(t *testing.T, dir string) *sourceEnded {
	t.Helper()
	var m struct {
		End *sourceEnded `json:"source_ended_early"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "run.json"))), &m); err != nil {
		t.Fatalf("run.json: %v", err)
	}
	return m.End
}

func TestTruncatedVideoFailsAndIsRecorded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	whole, err := os.ReadFile(makeClip(t, dir, "whole.mp4", "testsrc", "160x120", 100))
	if err != nil {
		t.Fatal(err)
	}
	cut := writeBytes(t, dir, "cut.mp4", whole[:len(whole)*40/100])
	s := startServer(t, t.TempDir(), "--model", "mean")
	args := []string{"--server", s.addr, "--source", cut, "--name", "cut", "--quiet"}

	for i, attempt := range []string{"first run", "re-run"} {
		var stdout, stderr bytes.Buffer
		err := capturecmd.Run(context.Background(), args, &stdout, &stderr)
		if err == nil {
			t.Fatalf("%s of a file cut to 40%%: no error\n%s", attempt, stderr.String())
		}
		t.Logf("%s: %v", attempt, err)
		done := readPredictions(t, filepath.Join(s.out, "cut"))
		want := fmt.Sprintf("read %d of the 100 frames it declares", len(done))
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q does not say %q", attempt, err, want)
		}
		end := readSourceEnded(t, filepath.Join(s.out, "cut"))
		if end == nil || end.FramesRead != int64(len(done)) || end.FramesDeclared != 100 || end.Reason == "" {
			t.Errorf("%s: run.json records the end %+v, want %d frames read of 100 declared, with a reason", attempt, end, len(done))
		}
		if i == 1 && !strings.Contains(stderr.String(), fmt.Sprintf("%d frames were already done", len(done))) {
			t.Errorf("the re-run does not say it resumed:\n%s", stderr.String())
		}
	}
}

func TestSizeChangeRecordedAtOwnSizes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var joined []byte
	for _, c := range [][2]string{{"testsrc", "320x240"}, {"testsrc2", "768x576"}} {
		b, err := os.ReadFile(makeClip(t, dir, c[0]+".ts", c[0], c[1], 40))
		if err != nil {
			t.Fatal(err)
		}
		joined = append(joined, b...)
	}
	src := writeBytes(t, dir, "joined.ts", joined)
	s := startServer(t, t.TempDir(), "--model", "mean")
	var stdout, stderr bytes.Buffer
	if err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", src, "--name", "joined", "--quiet"}, &stdout, &stderr); err != nil {
		t.Fatalf("client failed: %v\n%s", err, stderr.String())
	}
	ps := readPredictions(t, filepath.Join(s.out, "joined"))
	if len(ps) != 80 {
		t.Fatalf("%d frames recorded, want 80", len(ps))
	}
	for i, p := range ps {
		w, h := int32(320), int32(240)
		if i >= 40 {
			w, h = 768, 576
		}
		if p.Seq != int64(i) || p.Width != w || p.Height != h || p.Error != "" {
			t.Errorf("line %d: frame %d recorded at %dx%d (error %q), want frame %d at %dx%d", i, p.Seq, p.Width, p.Height, p.Error, i, w, h)
		}
		if i > 0 && p.Mean == ps[i-1].Mean {
			t.Errorf("frames %d and %d have the same mean %v: a copy was recorded", i-1, i, p.Mean)
		}
	}
}

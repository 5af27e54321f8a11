package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/framewire/framewire/internal/capturecmd"
)

const megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi"

// jpegNames lists the .jpg files in dir, sorted.
func jpegNames(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names
}

// sameJPEGs checks that the client saved exactly the images the server
// wrote, byte for byte.
func sameJPEGs(t *testing.T, serverDir, clientDir string, want []string) {
	t.Helper()
	got, onServer := jpegNames(t, clientDir), jpegNames(t, serverDir)
	if !slices.Equal(onServer, want) {
		t.Errorf("the server wrote %d JPEGs %v, want %d %v", len(onServer), onServer, len(want), want)
	}
	if !slices.Equal(got, onServer) {
		t.Fatalf("--save wrote %d JPEGs, the server %d:\nclient %v\nserver %v", len(got), len(onServer), got, onServer)
	}
	for _, name := range got {
		if !bytes.Equal([]byte(readFile(t, filepath.Join(clientDir, name))), []byte(readFile(t, filepath.Join(serverDir, name)))) {
			t.Errorf("%s differs between client and server", name)
		}
	}
	if tmps, _ := filepath.Glob(filepath.Join(clientDir, ".tmp-*")); len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

// TestSaveAndPerStreamOptions streams Megamind.avi (270 frames) through
// BlazeFace three times with different per-stream options and --save: the
// options take effect on the server, and --save leaves the same JPEGs on
// the client's side as the server wrote.
func TestSaveAndPerStreamOptions(t *testing.T) {
	t.Parallel()
	needFile(t, megamind, "opencv-doc")
	s := startServer(t, t.TempDir(), "--model", "blazeface")
	const frames = 270
	stream := func(name string, flags ...string) (results []jsonResult, saved string) {
		t.Helper()
		saved = t.TempDir()
		var stdout, stderr bytes.Buffer
		args := append([]string{"--server", s.addr, "--source", megamind, "--name", name, "--resize", "360",
			"--json", "--save", saved}, flags...)
		if err := capturecmd.Run(context.Background(), args, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stderr.String())
		}
		results = parseResults(t, stdout.String())
		if len(results) != frames {
			t.Fatalf("%s: %d results, want %d", name, len(results), frames)
		}
		return results, filepath.Join(saved, name)
	}

	// --save-every 10: frames 0, 10, ..., 260.
	all, saved := stream("every10", "--save-every", "10")
	var want []string
	for i := 0; i < frames; i += 10 {
		want = append(want, fmt.Sprintf("%08d.jpg", i))
	}
	sameJPEGs(t, filepath.Join(s.out, "every10"), saved, want)
	if n := lineCount(t, filepath.Join(s.out, "every10", "predictions.jsonl")); n != frames {
		t.Errorf("%d prediction lines, want one per frame (%d)", n, frames)
	}

	// --conf C --save-only-detections: the detections of the first run
	// scoring C or more, and a JPEG exactly for the frames that have one.
	// C is about 0.9 and clear of every score of the first run.
	conf := 0.85
	for ; conf < 0.95; conf += 0.005 {
		clear := true
		for _, r := range all {
			for _, d := range r.Detections {
				clear = clear && math.Abs(d.Score-conf) > 1e-3
			}
		}
		if clear {
			break
		}
	}
	strict, saved := stream("strict", "--conf", fmt.Sprint(conf), "--save-only-detections")
	want = nil
	for i, r := range strict {
		var kept []float64
		for _, d := range all[i].Detections {
			if d.Score >= conf {
				kept = append(kept, d.Score)
			}
		}
		var got []float64
		for _, d := range r.Detections {
			got = append(got, d.Score)
		}
		if len(got) != len(kept) {
			t.Fatalf("frame %d: scores %v with --conf %v, want %v (from %v)", i, got, conf, kept, all[i].Detections)
		}
		if len(got) > 0 {
			want = append(want, fmt.Sprintf("%08d.jpg", i))
		}
	}
	t.Logf("--conf %v --save-only-detections: %d of %d frames have a face", conf, len(want), frames)
	if len(want) == 0 || len(want) == frames {
		t.Errorf("%d frames with a face scoring %v: the video should have some and not all", len(want), conf)
	}
	sameJPEGs(t, filepath.Join(s.out, "strict"), saved, want)

	// --classes: BlazeFace has the one class "face", so another is refused.
	var stdout, stderr bytes.Buffer
	err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", megamind, "--classes", "person", "--retries", "0"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), `no class "person"`) {
		t.Errorf("--classes person with BlazeFace: got %v, want a refusal naming the class", err)
	}
}

// lineCount counts the lines of a file.
func lineCount(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

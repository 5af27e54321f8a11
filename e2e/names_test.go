package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/internal/capturecmd"
	"github.com/framewire/framewire/stream/streamtest"
)

// TestPhotoNamesThatAreNotUTF8 streams a folder, itself named with a byte
// that is not UTF-8, whose photos are named so too (a Latin-1 é, a lone
// 0xff), and a list naming one of them: every photo is processed, and
// every name on the wire, in predictions.jsonl and on the client's output
// is UTF-8 that shows the bytes as \xNN.
func TestPhotoNamesThatAreNotUTF8(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "fotos\xfe")
	names := []string{"bad\xffname.jpg", "caf\xe9.jpg", "ok.jpg"}
	for _, n := range append([]string{""}, names...) {
		if n == "" {
			mustWrite(t, dir, "", nil)
			continue
		}
		mustWrite(t, dir, n, streamtest.JPEG(t, 64, 48))
	}
	mustWrite(t, dir, "list.txt", []byte("caf\xe9.jpg\nbad\xffname.jpg\n"))
	s := startServer(t, t.TempDir(), "--model", "mean")

	stdout := streamNamed(t, s, "--source", dir)
	checkSources(t, s, "fotos-", []string{`bad\xffname.jpg`, `caf\xe9.jpg`, "ok.jpg"}, stdout)
	checkRunSource(t, s, "fotos-", filepath.Dir(dir)+`/fotos\xfe`)

	stdout = streamNamed(t, s, "--source", filepath.Join(dir, "list.txt"), "--name", "listed")
	checkSources(t, s, "listed", []string{`caf\xe9.jpg`, `bad\xffname.jpg`}, stdout)
}

// TestVideoPathThatIsNotUTF8 streams a video file whose path is not
// UTF-8, with --name and with the name derived from the path: every frame
// is processed, and run.json names the file.
func TestVideoPathThatIsNotUTF8(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "clip\xff\xe9.avi")
	writeClip(t, path, 12)
	s := startServer(t, t.TempDir(), "--model", "mean")
	for _, name := range []string{"clip", ""} {
		args := []string{"--source", path}
		if name != "" {
			args = append(args, "--name", name)
		}
		stdout := streamNamed(t, s, args...)
		if name == "" {
			name = "clip--" // each byte that is not a letter, digit, '.', '_' or '-' is a '-'
		}
		if n := len(strings.Split(strings.TrimSpace(stdout), "\n")); n != 12 {
			t.Errorf("%s: got %d results, want 12", name, n)
		}
		if lines := readPhotoLines(t, filepath.Join(s.out, name, "predictions.jsonl")); len(lines) != 12 {
			t.Errorf("%s: got %d lines, want 12", name, len(lines))
		}
		checkRunSource(t, s, name, filepath.Dir(path)+`/clip\xff\xe9.avi`)
	}
	// A --name that is not UTF-8 is refused by the server's name rule,
	// with the name shown, not by the wire.
	var stdout, stderr bytes.Buffer
	err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", path, "--name", "caf\xe9"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), `caf\\xe9`) || strings.Contains(err.Error(), "marshal") {
		t.Errorf("--name caf\\xe9: got %v, want the server's refusal naming it", err)
	}
}

// mustWrite writes data to dir/name, or makes the folder dir when name
// is empty.
func mustWrite(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	var err error
	if name == "" {
		err = os.Mkdir(dir, 0o755)
	} else {
		err = os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// writeClip writes an n-frame 64x48 MJPEG AVI to path with OpenCV.
func writeClip(t *testing.T, path string, n int) {
	t.Helper()
	vw, err := gocv.VideoWriterFile(path, "MJPG", 25, 64, 48, true)
	if err != nil || !vw.IsOpened() {
		t.Fatalf("create %q: %v", path, err)
	}
	defer vw.Close()
	img := gocv.NewMatWithSize(48, 64, gocv.MatTypeCV8UC3)
	defer img.Close()
	for i := range n {
		img.SetTo(gocv.NewScalar(float64(i*20), 100, 200, 0))
		gocv.Rectangle(&img, image.Rect(i*4, 10, i*4+10, 30), color.RGBA{255, 255, 255, 0}, -1)
		if err := vw.Write(img); err != nil {
			t.Fatal(err)
		}
	}
}

// streamNamed runs the client against s with args and --json; it must
// succeed. It returns stdout, which must be UTF-8.
func streamNamed(t *testing.T, s *server, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := capturecmd.Run(context.Background(), append([]string{"--server", s.addr, "--json"}, args...), &stdout, &stderr)
	if err != nil {
		t.Fatalf("%q: client failed: %v\n%s", args, err, stderr.String())
	}
	if !utf8.Valid(stdout.Bytes()) {
		t.Errorf("%q: stdout is not UTF-8: %q", args, stdout.String())
	}
	return stdout.String()
}

// checkSources wants the lines of stream name and the client's results to
// name want, in order, with no error.
func checkSources(t *testing.T, s *server, name string, want []string, stdout string) {
	t.Helper()
	var got, printed []string
	for _, l := range readPhotoLines(t, filepath.Join(s.out, name, "predictions.jsonl")) {
		got = append(got, l.Source)
		if l.Error != "" || l.Width != 64 {
			t.Errorf("%s %s: got error %q, width %d", name, l.Source, l.Error, l.Width)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r struct{ Source string }
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%s: result %q: %v", name, l, err)
		}
		printed = append(printed, r.Source)
	}
	if !slices.Equal(got, want) || !slices.Equal(printed, want) {
		t.Errorf("%s: got sources %q in predictions.jsonl, %q printed, want %q", name, got, printed, want)
	}
}

// checkRunSource wants run.json of stream name to give want as its source.
func checkRunSource(t *testing.T, s *server, name, want string) {
	t.Helper()
	var run struct{ Source string }
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(s.out, name, "run.json"))), &run); err != nil {
		t.Fatal(err)
	}
	if run.Source != want {
		t.Errorf("%s: run.json source %q, want %q", name, run.Source, want)
	}
}

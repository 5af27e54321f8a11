package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/framewire/framewire/internal/capturecmd"
)

// testCamera is a live source: a GStreamer test pattern at 30 fps.
const testCamera = "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! videoconvert ! appsink"

// runFor runs the client with args until it ends or d passes (the way
// Ctrl-C stops a live source).
func runFor(t *testing.T, d time.Duration, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out, errOut bytes.Buffer
	err = capturecmd.Run(ctx, args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// summaryOf reads the --json summary from the client's stderr.
func summaryOf(t *testing.T, stderr string) capturecmd.SummaryJSON {
	t.Helper()
	for _, line := range strings.Split(stderr, "\n") {
		var s map[string]capturecmd.SummaryJSON
		if json.Unmarshal([]byte(line), &s) == nil {
			if sum, ok := s["summary"]; ok {
				return sum
			}
		}
	}
	t.Fatalf("no JSON summary in:\n%s", stderr)
	return capturecmd.SummaryJSON{}
}

// A restarted webcam is a new run: it sends frames at once, into cam-2,
// and leaves the first run's folder as it was.
func TestRestartedWebcamSendsAndKeepsTheEarlierRun(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir(), "--model", "mean")
	args := []string{"--server", s.addr, "--source", testCamera, "--name", "cam", "--json"}
	_, stderr, err := runFor(t, 2*time.Second, args...)
	if err != nil {
		t.Fatalf("first run: %v\n%s", err, stderr)
	}
	first := lineCount(t, filepath.Join(s.out, "cam", "predictions.jsonl"))
	_, stderr, err = runFor(t, 2*time.Second, args...)
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, stderr)
	}
	sum := summaryOf(t, stderr)
	if sum.Sent == 0 || sum.Skipped != 0 || sum.Name != "cam-2" {
		t.Errorf("second run: sent %d, skipped %d, into %q; want frames sent, none skipped, into cam-2\n%s", sum.Sent, sum.Skipped, sum.Name, stderr)
	}
	if !strings.Contains(stderr, `this run's output is in "cam-2"`) {
		t.Errorf("the client does not say where the output went:\n%s", stderr)
	}
	if got := lineCount(t, filepath.Join(s.out, "cam", "predictions.jsonl")); got != first {
		t.Errorf("the first run's folder went from %d to %d lines", first, got)
	}
	if got := lineCount(t, filepath.Join(s.out, "cam-2", "predictions.jsonl")); int64(got) != sum.Processed {
		t.Errorf("cam-2 has %d lines, the client was told %d frames were done", got, sum.Processed)
	}
}

// Re-running a file resumes it and says so; against a server running
// another model it stops and says what differs and what to do.
func TestRerunOfAFileResumesOnlyTheSameRun(t *testing.T) {
	t.Parallel()
	needFile(t, vtest, "opencv-doc")
	out := t.TempDir()
	s := startServer(t, out, "--model", "mean")
	args := []string{"--server", s.addr, "--source", vtest, "--resize", "192", "--json", "--quiet"}
	if _, stderr, err := runFor(t, time.Minute, args...); err != nil {
		t.Fatalf("first run: %v\n%s", err, stderr)
	}
	_, stderr, err := runFor(t, 3*time.Minute, args...)
	if sum := summaryOf(t, stderr); err != nil || sum.Skipped != 795 || sum.Sent != 0 || !sum.Resumed {
		t.Errorf("same command again: %v, skipped %d, sent %d, resumed %v; want 795 skipped, none sent\n%s", err, sum.Skipped, sum.Sent, sum.Resumed, stderr)
	}
	if !strings.Contains(stderr, "795 frames were already done") {
		t.Errorf("a resume is silent:\n%s", stderr)
	}
	_, stderr, err = runFor(t, time.Minute, append(args, "--resize", "160")...)
	if err == nil || !strings.Contains(err.Error(), "source content") || !strings.Contains(err.Error(), "--overwrite") {
		t.Errorf("another --resize: %v, want a refusal naming the source content and --overwrite\n%s", err, stderr)
	}
	s.Kill()
	other := startServer(t, out, "--model", "blazeface")
	otherArgs := append([]string{"--server", other.addr}, args[2:]...)
	_, stderr, err = runFor(t, time.Minute, otherArgs...)
	if err == nil || !strings.Contains(err.Error(), "model mean there, blazeface now") {
		t.Errorf("another model: %v, want a refusal naming both models\n%s", err, stderr)
	}
}

// A second client under a name in use is refused at once, with exit
// status non-zero, while the first goes on.
func TestSecondClientWithTheSameNameIsRefused(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir(), "--model", "mean")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	firstDone := make(chan error, 1)
	go func() {
		var out, errOut bytes.Buffer
		firstDone <- capturecmd.Run(ctx, []string{"--server", s.addr, "--source", testCamera, "--name", "shared", "--quiet"}, &out, &errOut)
	}()
	// Wait until the first client's stream has written a frame.
	waitLines(t, 20*time.Second, 1, s.out, "shared")
	start := time.Now()
	_, stderr, err := runFor(t, 20*time.Second, "--server", s.addr, "--source", testCamera, "--name", "shared", "--overwrite", "--quiet")
	if err == nil || !strings.Contains(err.Error(), "another client is streaming under this name") || strings.Contains(stderr, "reconnecting") {
		t.Errorf("second client: %v (after %v), want a refusal without retries\n%s", err, time.Since(start), stderr)
	}
	cancel()
	if err := <-firstDone; err != nil {
		t.Errorf("the first client: %v", err)
	}
}

func lineCountOrZero(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte("\n"))
}

// With the output on a full disk, the frames that could not be written are
// not recorded, the client says how many and exits non-zero; after space
// is freed the same command finishes the run exactly.
func TestFullDiskFramesAreRetriedOnResume(t *testing.T) {
	t.Parallel()
	const frames = 200 // the disk fills after about 30
	clip := vtestClip(t, frames)
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	out := t.TempDir()
	if b, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", out).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, b)
	}
	t.Cleanup(func() { exec.Command("umount", out).Run() })
	s := startServer(t, out, "--model", "mean")
	args := []string{"--server", s.addr, "--source", clip, "--json", "--quiet"}
	_, stderr, err := runFor(t, 3*time.Minute, args...)
	sum := summaryOf(t, stderr)
	if err == nil || sum.NotRecorded == 0 || !strings.Contains(err.Error(), "failed on the server and were not recorded") {
		t.Fatalf("on a full disk: %v, not recorded %d; want a non-zero exit saying how many failed\n%s", err, sum.NotRecorded, stderr)
	}
	checkLinesHaveImages(t, filepath.Join(out, "vtest"))
	if b, err := exec.Command("mount", "-o", "remount,size=256m", out).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v: %s", err, b)
	}
	_, stderr, err = runFor(t, 3*time.Minute, args...)
	if err != nil {
		t.Fatalf("after freeing space: %v\n%s", err, stderr)
	}
	if sum2 := summaryOf(t, stderr); sum2.Processed != sum.NotRecorded || sum2.Skipped != frames-sum.NotRecorded {
		t.Errorf("resume processed %d and skipped %d, want the %d frames not recorded and %d skipped", sum2.Processed, sum2.Skipped, sum.NotRecorded, frames-sum.NotRecorded)
	}
	checkExactOutput(t, filepath.Join(out, "vtest"), frames)
}

// checkLinesHaveImages checks that every predictions line's image exists.
func checkLinesHaveImages(t *testing.T, dir string) {
	t.Helper()
	for i, line := range strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dir, "predictions.jsonl"))), "\n") {
		var l struct {
			Image string `json:"image"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil || l.Image == "" {
			t.Fatalf("line %d names no image: %q", i, line)
		}
		if _, err := os.Stat(filepath.Join(dir, l.Image)); err != nil {
			t.Errorf("line %d: %v", i, err)
		}
	}
}

// Credentials in a source URL reach neither the server nor the output,
// logs, pages or metrics, nor the client's own messages.
func TestSourceCredentialsNeverLeaveTheClient(t *testing.T) {
	t.Parallel()
	clip := vtestClip(t, 100)
	video := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "admin" || pass != "secret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="cam"`)
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		http.ServeFile(w, r, clip)
	}))
	defer video.Close()
	r := startServer(t, t.TempDir(), "--model", "mean", "--http", "127.0.0.1:0")
	src := strings.Replace(video.URL, "http://", "http://admin:secret@", 1) + "/clip.avi?token=t0k3n"
	stdout, stderr, err := runFor(t, time.Minute, "--server", r.addr, "--source", src, "--json", "--quiet")
	if err != nil {
		t.Fatalf("client: %v\n%s", err, stderr)
	}
	name := summaryOf(t, stderr).Name
	files, _ := filepath.Glob(filepath.Join(r.out, "*", "*.js*"))
	seen := map[string]string{"client stdout": stdout, "client stderr": stderr, "stream name": name, "server log": r.Log()}
	if m := regexp.MustCompile(`msg="http serving" addr=(\S+)`).FindStringSubmatch(r.Log()); m != nil {
		resp, err := http.Get("http://" + m[1] + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		seen["metrics"] = string(b)
		if !strings.Contains(seen["metrics"], name) {
			t.Errorf("the metrics do not name the stream %q", name)
		}
	} else {
		t.Errorf("the server log has no http address:\n%s", r.Log())
	}
	for _, f := range files {
		seen[f] = readFile(t, f)
	}
	for what, text := range seen {
		if strings.Contains(text, "secret") || strings.Contains(text, "t0k3n") {
			t.Errorf("%s holds a credential:\n%.2000s", what, text)
		}
	}
	if !strings.HasPrefix(name, "127.0.0.1-") {
		t.Errorf("stream name %q, want one derived from the host and path", name)
	}
}

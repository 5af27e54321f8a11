package e2e

import (
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// streamBytes reads how many bytes the server at its http address has
// received on StreamFrames calls.
func streamBytes(t *testing.T, s *server) float64 {
	t.Helper()
	m := regexp.MustCompile(`msg="http serving" addr=(\S+)`).FindStringSubmatch(s.Log())
	if m == nil {
		t.Fatalf("the server log has no http address:\n%s", s.Log())
	}
	resp, err := http.Get("http://" + m[1] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	v := regexp.MustCompile(`framewire_grpc_received_bytes_total\{method="[^"]*StreamFrames"\} (\S+)`).FindSubmatch(body)
	if v == nil {
		t.Fatalf("no StreamFrames byte count in the metrics:\n%s", body)
	}
	n, err := strconv.ParseFloat(string(v[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A server on this machine gets raw pixels by default, one on another
// machine JPEG; the frames are the same but for JPEG's loss.
func TestFramesGoRawToALocalServer(t *testing.T) {
	t.Parallel()
	const frames = 200
	clip := vtestClip(t, frames)
	s := startServer(t, t.TempDir(), "--model", "mean", "--http", "127.0.0.1:0")
	const frameBytes = 768 * 576 * 3
	means := map[string][]float64{}
	var before float64
	for _, enc := range []string{"jpeg", "auto"} {
		stdout, stderr, err := runFor(t, time.Minute, "--server", s.addr, "--source", clip, "--name", enc, "--encoding", enc, "--json")
		if err != nil {
			t.Fatalf("--encoding %s: %v\n%s", enc, err, stderr)
		}
		after := streamBytes(t, s)
		perFrame := (after - before) / frames
		before = after
		t.Logf("--encoding %s: %.0f bytes a frame on the wire", enc, perFrame)
		if raw := perFrame >= frameBytes; raw != (enc == "auto") {
			t.Errorf("--encoding %s sent %.0f bytes a frame; a raw frame is %d bytes", enc, perFrame, frameBytes)
		}
		for _, r := range parseResults(t, stdout) {
			means[enc] = append(means[enc], r.Mean)
		}
	}
	if len(means["jpeg"]) != frames || len(means["auto"]) != frames {
		t.Fatalf("%d and %d results, want %d each", len(means["jpeg"]), len(means["auto"]), frames)
	}
	worst := 0.0
	for i := range means["jpeg"] {
		worst = max(worst, math.Abs(means["jpeg"][i]-means["auto"][i]))
	}
	if worst > 1 {
		t.Errorf("frame means differ by up to %.2f between JPEG and raw frames, want <= 1 (JPEG's loss)", worst)
	}
}

// A local server that takes smaller messages than a raw frame gets JPEG
// frames: it says its limit when the stream opens.
func TestRawFramesKeepToTheServersLimit(t *testing.T) {
	t.Parallel()
	const frames = 200
	clip := vtestClip(t, frames)
	s := startServer(t, t.TempDir(), "--model", "mean", "--http", "127.0.0.1:0", "--max-msg-mb", "1")
	_, stderr, err := runFor(t, time.Minute, "--server", s.addr, "--source", clip, "--json", "--quiet")
	if err != nil {
		t.Fatalf("client: %v\n%s", err, stderr)
	}
	if sum := summaryOf(t, stderr); sum.Processed != frames {
		t.Errorf("%d frames processed, want %d", sum.Processed, frames)
	}
	if perFrame := streamBytes(t, s) / frames; perFrame >= 1<<20 {
		t.Errorf("%.0f bytes a frame on the wire to a server taking at most 1 MiB", perFrame)
	}
}

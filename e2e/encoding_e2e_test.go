package e2e

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
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

// A server on this machine gets raw pixels by default, through memory
// shared with it (the socket carries only the frames' other fields), or
// through the socket without --shared-memory; one on another machine
// gets JPEG. The frames are the same but for JPEG's loss.
func TestFramesGoRawToALocalServer(t *testing.T) {
	t.Parallel()
	const frames = 200
	clip := vtestClip(t, frames)
	s := startServer(t, t.TempDir(), "--model", "mean", "--http", "127.0.0.1:0")
	const frameBytes = 768 * 576 * 3
	means := map[string][]float64{}
	var before float64
	for _, c := range []struct {
		name, enc, shared  string
		minBytes, maxBytes float64 // on the wire a frame
		maxReads           float64 // the server's read calls a frame
	}{
		{"jpeg", "jpeg", "false", 1000, frameBytes / 4, 100}, // as to another machine
		{"raw", "auto", "false", frameBytes, 2 * frameBytes, 100},
		{"shared", "auto", "true", 1, 1000, 6},
	} {
		reads := readCalls(t, s)
		stdout, stderr, err := runFor(t, time.Minute, "--server", s.addr, "--source", clip, "--name", c.name, "--encoding", c.enc, "--shared-memory="+c.shared, "--json")
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, stderr)
		}
		after := streamBytes(t, s)
		perFrame := (after - before) / frames
		before = after
		readsPerFrame := float64(readCalls(t, s)-reads) / frames
		t.Logf("%s: %.0f bytes a frame on the wire, %.1f read calls a frame in the server", c.name, perFrame, readsPerFrame)
		if readsPerFrame > c.maxReads {
			t.Errorf("%s: the server made %.1f read calls a frame, want at most %.0f (a raw frame through the socket takes about 42)", c.name, readsPerFrame, c.maxReads)
		}
		if perFrame < c.minBytes || perFrame > c.maxBytes {
			t.Errorf("%s sent %.0f bytes a frame on the wire, want %.0f to %.0f (a raw frame is %d bytes)", c.name, perFrame, c.minBytes, c.maxBytes, frameBytes)
		}
		if want := map[bool]int{true: frames}[c.name == "shared"]; sharedFrames(t, stderr) != want {
			t.Errorf("%s: summary says %d frames through shared memory, want %d:\n%s", c.name, sharedFrames(t, stderr), want, stderr)
		}
		for _, r := range parseResults(t, stdout) {
			means[c.name] = append(means[c.name], r.Mean)
		}
	}
	if n := sharedFiles(t, s); n != 0 {
		t.Errorf("the server holds %d shared memory files after its streams ended, want 0", n)
	}
	for _, name := range []string{"jpeg", "shared"} {
		if len(means[name]) != frames || len(means["raw"]) != frames {
			t.Fatalf("%d %s and %d raw results, want %d each", len(means[name]), name, len(means["raw"]), frames)
		}
	}
	worst := 0.0
	for i := range means["jpeg"] {
		worst = max(worst, math.Abs(means["jpeg"][i]-means["raw"][i]))
		if means["shared"][i] != means["raw"][i] {
			t.Errorf("frame %d: mean %v through shared memory, %v through the socket; want the same pixels", i, means["shared"][i], means["raw"][i])
		}
	}
	if worst > 1 {
		t.Errorf("frame means differ by up to %.2f between JPEG and raw frames, want <= 1 (JPEG's loss)", worst)
	}
}

// sharedFrames is the count of frames sent through shared memory in the
// --json summary on stderr.
func sharedFrames(t *testing.T, stderr string) int {
	t.Helper()
	m := regexp.MustCompile(`"sent_through_shared_memory":(\d+)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no shared memory count in the summary:\n%s", stderr)
	}
	n, _ := strconv.Atoi(m[1])
	return n
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

// readCalls is how many read system calls the server process made so
// far (/proc/PID/io).
func readCalls(t *testing.T, s *server) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", s.Cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^syscr: (\d+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no syscr in /proc/PID/io:\n%s", b)
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// sharedFiles counts the shared memory files (memfd) the server process
// has open.
func sharedFiles(t *testing.T, s *server) int {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", s.Cmd.Process.Pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(dir + "/" + fd.Name()); err == nil && strings.HasPrefix(target, "/memfd:framewire-frames") {
			n++
		}
	}
	return n
}

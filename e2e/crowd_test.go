package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/internal/serverproc"
)

// tinyClip writes a 64x48 MJPG AVI of n frames into a temporary folder.
func tinyClip(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.avi")
	vw, err := gocv.VideoWriterFile(path, "MJPG", 10, 64, 48, true)
	if err != nil || !vw.IsOpened() {
		t.Skipf("OpenCV cannot write MJPG AVI files here: %v", err)
	}
	defer vw.Close()
	img := gocv.NewMatWithSize(48, 64, gocv.MatTypeCV8UC3)
	defer img.Close()
	for i := range n {
		img.SetTo(gocv.NewScalar(float64(20*i%256), 90, 160, 0))
		gocv.PutText(&img, fmt.Sprint(i), image.Pt(8, 30), gocv.FontHersheyPlain, 1.5, color.RGBA{255, 255, 255, 0}, 1)
		if err := vw.Write(img); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// clientProc is a framewire-capture process.
type clientProc struct {
	name   string
	cmd    *exec.Cmd
	stderr bytes.Buffer
}

// startClients starts one client process per name at once, streaming src
// to addr under that name, with args after the others.
func startClients(t *testing.T, bin, addr, src string, names []string, args ...string) []*clientProc {
	t.Helper()
	var cs []*clientProc
	for _, name := range names {
		c := &clientProc{name: name}
		c.cmd = exec.Command(bin, append([]string{"--server", addr, "--source", src, "--name", name, "--quiet"}, args...)...)
		c.cmd.Stderr = &c.stderr
		if err := c.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.cmd.Process.Kill() })
		cs = append(cs, c)
	}
	return cs
}

// streamsLogged are the stream names of the server's log lines with msg,
// in log order.
func streamsLogged(log, msg string) []string {
	re := regexp.MustCompile(`msg="` + msg + `" stream=(\S+)`)
	var names []string
	for _, m := range re.FindAllStringSubmatch(log, -1) {
		names = append(names, m[1])
	}
	return names
}

// Six clients start at once against a server that runs two streams at a
// time. Those over the limit wait in the server's queue, are told their
// place, and get in first come, first served: every client exits 0 with
// all its frames recorded, and the server starts the waiting streams in
// the order they joined the queue. The clients run with --retries 0:
// waiting for a slot spends no retry (a server that refuses the streams
// over its limit fails four of the six at once).
func TestCrowdOfClientsTakesTurns(t *testing.T) {
	bin := buildClient(t)
	clip := tinyClip(t, 5)
	s := startServer(t, t.TempDir(), "--model", "mean", "--max-streams", "2")
	names := []string{"crowd1", "crowd2", "crowd3", "crowd4", "crowd5", "crowd6"}
	// At 2 fps a stream holds its slot for 2.5 s, longer than six client
	// processes take to start on a loaded machine (a second at 5 fps was
	// not: in one run the clients came one after another and few waited).
	start := time.Now()
	cs := startClients(t, bin, s.addr, clip, names, "--max-fps", "2", "--retries", "0")
	for _, c := range cs {
		if err := c.cmd.Wait(); err != nil {
			t.Errorf("client %s: %v\n%s", c.name, err, c.stderr.String())
		}
	}
	t.Logf("the six clients took %v", time.Since(start).Round(time.Millisecond))
	for _, name := range names {
		checkExactOutput(t, filepath.Join(s.out, name), 5)
	}
	queued := streamsLogged(s.Log(), "stream queued")
	if len(queued) < 2 {
		t.Fatalf("%d streams waited for a slot, want at least 2 of 6 with --max-streams 2:\n%s", len(queued), s.Log())
	}
	started := slices.DeleteFunc(streamsLogged(s.Log(), "stream started"), func(n string) bool { return !slices.Contains(queued, n) })
	// Grants are first come, first served; two slots freed together are
	// granted at once and their start lines may be logged in either order,
	// so a stream may start one place (slots - 1) from where it queued.
	for i, name := range started {
		if d := slices.Index(queued, name) - i; d > 1 || d < -1 {
			t.Errorf("the waiting streams started in the order %v, want the order they queued in, %v (give or take one place)", started, queued)
			break
		}
	}
	if len(started) != len(queued) {
		t.Errorf("%d of the %d waiting streams started", len(started), len(queued))
	}
	for _, c := range cs {
		if slices.Contains(queued, c.name) && !strings.Contains(c.stderr.String(), "waiting for a stream slot: ") {
			t.Errorf("client %s waited without saying so:\n%s", c.name, c.stderr.String())
		}
	}
}

// runProc runs the client process cmd to its end and returns its exit
// status, its stderr and how long it ran.
func runProc(t *testing.T, cmd *exec.Cmd) (int, string, time.Duration) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String(), took
	case errors.As(err, &exit):
		return exit.ExitCode(), stderr.String(), took
	}
	t.Fatalf("run %s: %v", cmd.Path, err)
	return -1, "", 0
}

// A client started where no server listens fails within seconds, in one
// line that says what to do; it does not retry (--retries is for streams
// that broke).
func TestClosedPortFailsInOneLine(t *testing.T) {
	bin := buildClient(t)
	addr := freeAddr(t)
	code, stderr, took := runProc(t, exec.Command(bin, "--server", addr, "--source", tinyClip(t, 3)))
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if took > 5*time.Second {
		t.Errorf("failing took %v, want under 5 s", took)
	}
	want := "framewire-capture: cannot reach the server at " + addr + ": connection refused (is framewire-server running? --wait-for-server 1m waits for it)\n"
	if stderr != want {
		t.Errorf("stderr:\n%q\nwant exactly\n%q", stderr, want)
	}
}

// With --wait-for-server the client waits for a server that starts a
// second after it, says once that it waits, and streams.
func TestWaitForServerWaitsForItToStart(t *testing.T) {
	bin := buildClient(t)
	addr := freeAddr(t)
	out := t.TempDir()
	cmd := exec.Command(bin, "--server", addr, "--source", tinyClip(t, 3), "--name", "late", "--quiet", "--wait-for-server", "30s")
	type started struct {
		p   *serverproc.Proc
		err error
	}
	serverUp := make(chan started, 1)
	go func() {
		time.Sleep(time.Second) // the server starts after the client, as when both start at boot
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		p, err := serverproc.Start(ctx, serverBin, "--out", out, "--model", "mean", "--listen", addr)
		serverUp <- started{p, err}
	}()
	code, stderr, took := runProc(t, cmd)
	up := <-serverUp
	if up.err != nil {
		t.Fatal(up.err)
	}
	defer up.p.Kill()
	if code != 0 {
		t.Fatalf("exit status %d, want 0:\n%s", code, stderr)
	}
	if n := strings.Count(stderr, "waiting up to 30s for it"); n != 1 {
		t.Errorf("the client said %d times that it waits, want once:\n%s", n, stderr)
	}
	checkExactOutput(t, filepath.Join(out, "late"), 3)
	t.Logf("the client ended %v after it started", took.Round(time.Millisecond))
}

package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Shared memory is used only where it can be: with the server's
// --shared-memory=false the frames go through the socket without a word,
// and so do those of a client run as another user, who may not open the
// server's memory; its summary says why. Every frame is processed.
func TestSharedMemoryFallsBackToTheSocket(t *testing.T) {
	t.Parallel()
	const frames = 30
	clip := vtestClip(t, frames)
	t.Run("server without it", func(t *testing.T) {
		s := startServer(t, t.TempDir(), "--model", "mean", "--shared-memory=false")
		_, stderr, err := runFor(t, time.Minute, "--server", s.addr, "--source", clip, "--name", "off", "--json")
		sum := summaryOf(t, stderr)
		if err != nil || sum.Processed != frames || sum.Shared != 0 || sum.SharedErr != "" {
			t.Errorf("run: %v; processed %d, %d through shared memory (%q); want %d, none and no error:\n%s", err, sum.Processed, sum.Shared, sum.SharedErr, frames, stderr)
		}
	})
	t.Run("client as another user", func(t *testing.T) {
		bin, src := asAnotherUser(t, buildClient(t), clip)
		s := startServer(t, t.TempDir(), "--model", "mean")
		var stderr bytes.Buffer
		cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", bin, "--server", s.addr, "--source", src, "--name", "nobody", "--json")
		cmd.Stderr = &stderr
		err := cmd.Run()
		sum := summaryOf(t, stderr.String())
		if err != nil || sum.Processed != frames || sum.Shared != 0 || !strings.Contains(sum.SharedErr, "permission denied") {
			t.Errorf("run: %v; processed %d, %d through shared memory (%q); want %d, none, permission denied:\n%s", err, sum.Processed, sum.Shared, sum.SharedErr, frames, stderr.String())
		}
	})
}

// asAnotherUser copies bin and the file src where user nobody can run and
// read them; it skips unless the test runs as root with setpriv.
func asAnotherUser(t *testing.T, bin, src string) (string, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("running the client as another user needs root")
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("running the client as another user needs setpriv (util-linux)")
	}
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} { // the test's own folders
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{bin, src} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, filepath.Base(bin)), filepath.Join(dir, filepath.Base(src))
}

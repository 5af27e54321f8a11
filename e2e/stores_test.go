package e2e

import (
	"bytes"
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/framewire/framewire/internal/capturecmd"
)

// --out file:///... is the folder store, percent-escapes decoded: a short
// stream lands in the folder the URL names.
func TestOutFileURLEndToEnd(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "frame out")
	s := startServer(t, (&url.URL{Scheme: "file", Path: dir}).String(), "--model", "mean")
	var stdout, stderr bytes.Buffer
	err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", tinyClip(t, 5), "--name", "tiny", "--quiet"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("client: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dir, "tiny", "predictions.jsonl"))), "\n")
	if len(lines) != 5 {
		t.Errorf("%s/tiny/predictions.jsonl: %d lines, want 5", dir, len(lines))
	}
	readFile(t, filepath.Join(dir, "tiny", "00000004.jpg"))
}

// --out with a scheme no store has fails at once, exit status 1, naming
// the scheme and the schemes known.
func TestOutUnknownSchemeFailsAtStartUp(t *testing.T) {
	t.Parallel()
	start := time.Now()
	code, out := exitStatus(t, nil, serverBin, "--out", "s3://b", "--listen", "127.0.0.1:0", "--http", "")
	if code != 1 || !strings.Contains(out, `no store for scheme "s3"; known: file://`) {
		t.Errorf("--out s3://b: exit status %d, output %q; want 1 and the scheme named with those known", code, out)
	}
	t.Logf("refused in %v", time.Since(start).Round(time.Millisecond))
}

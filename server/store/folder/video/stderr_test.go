package video

import (
	"strings"
	"testing"
)

// A long-running ffmpeg's log is kept to its end: bounded, with the last
// line whole.
func TestStderrTailKeepsTheEnd(t *testing.T) {
	var tail stderrTail
	line := []byte("frame= 1 fps=30 q=28.0 size=1kB\n")
	for range 100_000 {
		tail.Write(line)
	}
	tail.Write([]byte("Error: the reason\n"))
	got := tail.String()
	if len(got) != stderrKeep || !strings.HasSuffix(got, "Error: the reason\n") || cap(tail.b) > 4*stderrKeep {
		t.Errorf("kept %d bytes (buffer of %d) ending %q; want %d ending with the error", len(got), cap(tail.b), got[max(0, len(got)-30):], stderrKeep)
	}
}

package video

import "sync"

// stderrKeep is how much of ffmpeg's standard error an encoder keeps.
const stderrKeep = 4 << 10

// stderrTail keeps the last stderrKeep bytes written to it: the end of
// ffmpeg's standard error, which says why it failed, however long it ran
// and however much it logged. Safe for concurrent use.
type stderrTail struct {
	mu sync.Mutex
	b  []byte
}

// Write keeps p's tail; it never fails.
func (t *stderrTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 2*stderrKeep {
		t.b = append(t.b[:0], t.b[len(t.b)-stderrKeep:]...)
	}
	return len(p), nil
}

// String is the last stderrKeep bytes written.
func (t *stderrTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b[max(0, len(t.b)-stderrKeep):])
}

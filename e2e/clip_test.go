package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// vtestClips are the shortened copies of vtest.avi made so far, by frame
// count, in the folder of serverBin (removed by TestMain).
var vtestClips struct {
	sync.Mutex
	path map[int]string
}

// vtestClip returns a copy of the first n frames of vtest.avi, named
// vtest.avi (so its stream is "vtest"): the same compressed frames, cut
// without re-encoding, for tests whose point does not need all 795. It is
// made once per n.
func vtestClip(t *testing.T, n int) string {
	t.Helper()
	needFile(t, vtest, "opencv-doc")
	vtestClips.Lock()
	defer vtestClips.Unlock()
	if p, ok := vtestClips.path[n]; ok {
		return p
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is needed to cut test media (apt-get install ffmpeg)")
	}
	dir := filepath.Join(filepath.Dir(serverBin), fmt.Sprintf("vtest-%d", n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "vtest.avi")
	cmd := exec.Command("ffmpeg", "-v", "error", "-y", "-i", vtest, "-frames:v", fmt.Sprint(n), "-c", "copy", p)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cut %d frames of %s: %v\n%s", n, vtest, err, out)
	}
	if vtestClips.path == nil {
		vtestClips.path = map[int]string{}
	}
	vtestClips.path[n] = p
	return p
}

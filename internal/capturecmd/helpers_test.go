package capturecmd

import (
	"os"
	"testing"
)

// vtest is opencv-doc's sample video, 795 frames of 768x576.
const vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// needFile skips the test when path, which Debian's pkg installs, is missing.
func needFile(t *testing.T, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s is needed (apt-get install %s): %v", path, pkg, err)
	}
}

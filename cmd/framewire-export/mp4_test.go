package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/framewire/framewire/server/store/folder/video"
)

// videoStream writes a stream folder whose video holds 10 small frames,
// encoded by the server's recorder, and returns the folder.
func videoStream(t *testing.T) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("no ffmpeg (scripts/setup.sh installs it)")
	}
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	r, err := video.Open(root, ".", video.Config{FFmpeg: ffmpeg, Segment: 200 * time.Millisecond}, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 32, 24)), nil); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%08d.jpg", i)
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o666); err != nil {
			t.Fatal(err)
		}
		r.Add(video.Frame{Seq: int64(i), PTSUs: int64(i) * 40_000, Image: name})
	}
	r.Close(true)
	return dir
}

// The joined MP4 gets the mode every other output gets (0666 less the
// umask), not a temporary file's 0600.
func TestExportedMP4HasTheOutputsMode(t *testing.T) {
	dir := videoStream(t)
	exported(t, "--format", "mp4", dir)
	st, err := os.Stat(filepath.Join(dir, "video.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Mode().Perm(), 0o666&^umask(t); got != want {
		t.Errorf("video.mp4 has mode %v, want %v", got, want)
	}
}

// A folder without a video says so, without a nil error in the message.
func TestExportMP4WithoutVideoSaysSo(t *testing.T) {
	dir := t.TempDir()
	err := run(context.Background(), []string{"--format", "mp4", dir}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "no video") || strings.Contains(err.Error(), "nil") {
		t.Errorf("export of a folder without video: error %v, want one saying there is no video (and no nil)", err)
	}
}

// umask is the process's umask, from /proc (reading it with Umask would
// change it meanwhile).
func umask(t *testing.T) os.FileMode {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Umask:"); ok {
			m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			if err != nil {
				t.Fatal(err)
			}
			return os.FileMode(m)
		}
	}
	t.Skip("no umask in /proc/self/status")
	return 0
}

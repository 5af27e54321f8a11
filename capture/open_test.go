package capture

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocv.io/x/gocv"
)

// failFast is how quickly a missing or broken local source must be reported.
const failFast = 5 * time.Second

// openFails opens spec, expecting a fast error that contains every one of wants.
func openFails(t *testing.T, spec string, opts Options, wants ...string) error {
	t.Helper()
	start := time.Now()
	s, err := Open(spec, opts)
	elapsed := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatalf("Open(%q) succeeded, want an error", spec)
	}
	t.Logf("Open(%q) failed after %v: %v", spec, elapsed, err)
	if elapsed >= failFast {
		t.Errorf("Open(%q) took %v to fail, want < %v", spec, elapsed, failFast)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Open(%q) error %q does not contain %q", spec, err, w)
		}
	}
	return err
}

func TestOpenMissingWebcam(t *testing.T) {
	if _, err := os.Stat("/dev/video7"); err == nil {
		t.Skip("/dev/video7 exists on this machine")
	}
	err := openFails(t, "7", Options{}, "webcam 7", "/dev/video7 does not exist")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not match fs.ErrNotExist", err)
	}
}

func TestOpenMissingDevice(t *testing.T) {
	const dev = "/dev/framewire-no-such-camera"
	err := openFails(t, dev, Options{}, dev, "does not exist")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not match fs.ErrNotExist", err)
	}
}

func TestOpenDeviceThatIsNotACamera(t *testing.T) {
	// /dev/null exists but is no video device: OpenCV must refuse it quickly.
	if _, err := os.Stat("/dev/null"); err != nil {
		t.Skip("no /dev/null")
	}
	openFails(t, "/dev/null", Options{}, "/dev/null")
}

func TestOpenMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.avi")
	err := openFails(t, path, Options{}, `open video file "`+path+`": no such file`)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not match fs.ErrNotExist", err)
	}
}

func TestOpenGarbageFile(t *testing.T) {
	for _, name := range []string{"garbage.avi", "garbage.mp4", "empty.mkv"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			content := strings.Repeat("this is not a video, just text\n", 200)
			if strings.HasPrefix(name, "empty") {
				content = ""
			}
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			err := openFails(t, path, Options{}, path)
			if errors.Is(err, fs.ErrNotExist) {
				t.Errorf("error %v matches fs.ErrNotExist for a file that exists", err)
			}
		})
	}
}

func TestOpenDirectory(t *testing.T) {
	dir := t.TempDir()
	openFails(t, dir, Options{}, dir, "directory")
}

func TestOpenUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: file permissions do not stop reading")
	}
	path := filepath.Join(t.TempDir(), "secret.avi")
	if err := os.WriteFile(path, nil, 0o000); err != nil {
		t.Fatal(err)
	}
	err := openFails(t, path, Options{}, path)
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("error %v does not match fs.ErrPermission", err)
	}
}

func TestOpenRefusedURL(t *testing.T) {
	// Port 1 on loopback is closed, so the connection is refused at once.
	openFails(t, "http://127.0.0.1:1/stream.mjpg", Options{}, "http://127.0.0.1:1/stream.mjpg")
	err := openFails(t, "rtsp://admin:hunter2@127.0.0.1:1/live?apikey=SECRET&x=1", Options{},
		"rtsp://127.0.0.1:1/live?apikey=REDACTED&x=REDACTED")
	for _, secret := range []string{"hunter2", "admin", "SECRET"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q leaks %q from the URL", err, secret)
		}
	}
}

func TestOpenBadPipeline(t *testing.T) {
	openFails(t, "nosuchgstelement ! appsink", Options{}, "nosuchgstelement ! appsink", "GStreamer")
}

func TestOpenInvalidOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "never-opened.avi")
	for _, opts := range []Options{{Quality: 101}, {Quality: -1}, {Width: -1}, {Height: -5}, {MaxFPS: -1}} {
		openFails(t, path, opts, path)
	}
	openFails(t, "", Options{}, "empty source")
}

func TestOpenVideoWithoutFrames(t *testing.T) {
	// A real AVI container with a header but no frames: OpenCV opens it, and
	// the first read in Open finds nothing.
	path := filepath.Join(t.TempDir(), "noframes.avi")
	vw, err := gocv.VideoWriterFile(path, "MJPG", 25, 64, 48, true)
	if err != nil {
		t.Fatalf("create %s: %v", path, err)
	}
	if !vw.IsOpened() {
		vw.Close()
		t.Skip("OpenCV cannot write MJPG AVI files here")
	}
	if err := vw.Close(); err != nil {
		t.Fatal(err)
	}
	openFails(t, path, Options{}, path)
}

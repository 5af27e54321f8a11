package capture

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"gocv.io/x/gocv"

	"github.com/framewire/framewire/internal/redact"
)

// sourceSpec is a parsed Open argument.
type sourceSpec struct {
	raw   string
	kind  string
	index int    // webcam index, for KindWebcam
	path  string // device node for KindWebcam and KindDevice, file path for KindFile
	rtsp  bool   // an rtsp:// or rtsps:// URL
}

// name is how errors refer to the source, e.g. `webcam 3` or `video file "x.avi"`.
func (sp sourceSpec) name() string {
	switch sp.kind {
	case KindWebcam:
		return fmt.Sprintf("webcam %d", sp.index)
	case KindDevice:
		return "device " + sp.path
	case KindFile:
		return fmt.Sprintf("video file %q", sp.path)
	case KindURL:
		return fmt.Sprintf("URL %q", redact.Source(sp.raw))
	default:
		return fmt.Sprintf("GStreamer pipeline %q", redact.Source(sp.raw))
	}
}

// parseSpec classifies spec: all digits is a webcam index, /dev/... a device,
// rtsp(s):// and http(s):// a URL, anything containing '!' a GStreamer
// pipeline, and anything else a file.
func parseSpec(spec string) (sourceSpec, error) {
	sp := sourceSpec{raw: spec}
	lower := strings.ToLower(spec)
	switch {
	case spec == "":
		return sp, errors.New("empty source: want a webcam index, device path, file, URL or GStreamer pipeline")
	case isDigits(spec):
		n, err := strconv.Atoi(spec)
		if err != nil {
			return sp, fmt.Errorf("webcam index %q: %w", spec, err)
		}
		sp.kind, sp.index, sp.path = KindWebcam, n, "/dev/video"+strconv.Itoa(n)
	case strings.HasPrefix(spec, "/dev/"):
		sp.kind, sp.path = KindDevice, spec
	case strings.HasPrefix(lower, "rtsp://"), strings.HasPrefix(lower, "rtsps://"),
		strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		sp.kind, sp.rtsp = KindURL, strings.HasPrefix(lower, "rtsp")
	case strings.Contains(spec, "!"):
		sp.kind = KindPipeline
	default:
		sp.kind, sp.path = KindFile, spec
	}
	return sp, nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// checkLocal fails fast when a webcam, device or file named by sp is missing or
// unreadable, before OpenCV gets a chance to probe it slowly or vaguely.
func checkLocal(sp sourceSpec) error {
	switch sp.kind {
	case KindWebcam, KindDevice:
		return checkDevice(sp)
	case KindFile:
		return checkFile(sp)
	}
	return nil
}

// checkDevice fails when sp's webcam or device path is missing or a folder.
func checkDevice(sp sourceSpec) error {
	fi, err := os.Stat(sp.path)
	if errors.Is(err, fs.ErrNotExist) {
		return missingDevice(sp)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", sp.name(), err)
	}
	if fi.IsDir() {
		return fmt.Errorf("%s: %s is a directory, not a video device", sp.name(), sp.path)
	}
	return nil
}

// missingDevice is the error for sp's missing webcam or device; a
// webcam's names its device path.
func missingDevice(sp sourceSpec) error {
	if sp.kind == KindWebcam {
		return fmt.Errorf("%s: %s %w", sp.name(), sp.path, notExistError("does not exist"))
	}
	return fmt.Errorf("%s: %w", sp.name(), notExistError("does not exist"))
}

// checkFile fails when sp's file is missing, a folder or unreadable.
func checkFile(sp sourceSpec) error {
	fi, err := os.Stat(sp.path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("open %s: %w", sp.name(), notExistError("no such file"))
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", sp.name(), err)
	}
	if fi.IsDir() {
		return fmt.Errorf("open %s: is a directory", sp.name())
	}
	return checkReadable(sp)
}

// checkReadable fails when sp's file cannot be opened for reading.
func checkReadable(sp sourceSpec) error {
	f, err := os.Open(sp.path)
	if err != nil {
		return fmt.Errorf("open %s: %w", sp.name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("open %s: %w", sp.name(), err)
	}
	return nil
}

// openCapture opens sp with OpenCV. On success the caller owns the returned
// capture and must Close it.
func openCapture(sp sourceSpec) (*gocv.VideoCapture, error) {
	var (
		vc  *gocv.VideoCapture
		err error
	)
	switch sp.kind {
	case KindWebcam:
		vc, err = gocv.VideoCaptureDevice(sp.index)
	case KindPipeline:
		vc, err = gocv.VideoCaptureFileWithAPI(sp.raw, gocv.VideoCaptureGstreamer)
	case KindDevice, KindFile:
		vc, err = gocv.VideoCaptureFile(sp.path)
	default:
		// URLs go to FFmpeg only: with CAP_ANY, OpenCV falls back to GStreamer
		// and its image-sequence reader, which log the full URL, password
		// included, to stderr.
		vc, err = gocv.VideoCaptureFileWithAPI(sp.raw, gocv.VideoCaptureFFmpeg)
	}
	if err == nil && !vc.IsOpened() {
		err = errors.New("capture is not opened")
	}
	if err != nil {
		if vc != nil {
			vc.Close()
		}
		// gocv's message repeats the spec (and for URLs could leak a password),
		// so it is not wrapped.
		return nil, fmt.Errorf("open %s: OpenCV could not open it (%s)", sp.name(), openHint(sp.kind))
	}
	return vc, nil
}

// openHint is a short guess at why OpenCV could not open a source of kind.
func openHint(kind string) string {
	switch kind {
	case KindWebcam, KindDevice:
		return "not a video capture device, busy, or no permission"
	case KindFile:
		return "not a video, or an unsupported container or codec"
	case KindURL:
		return "unreachable, refused, or an unsupported stream"
	default:
		return "invalid pipeline, missing GStreamer plugin, or OpenCV built without GStreamer"
	}
}

// firstReadHint is a short guess at why a source of kind that OpenCV opened
// yields no frame.
func firstReadHint(kind string) string {
	switch kind {
	case KindFile, KindURL:
		return "no frames, truncated, or a codec OpenCV cannot decode"
	default:
		return "no frame arrived; is the device streaming?"
	}
}

package capture

import (
	"os"

	"gocv.io/x/gocv"
)

// Source kinds reported in Info.Kind.
const (
	KindWebcam   = "webcam"
	KindDevice   = "device"
	KindFile     = "file"
	KindURL      = "url"
	KindPipeline = "pipeline"
)

// LibraryVersions names the libraries that capture frames, for --version.
func LibraryVersions() []string {
	return []string{"gocv " + gocv.Version(), "OpenCV " + gocv.OpenCVVersion()}
}

// QuietLibraryLogs quiets the log lines FFmpeg and OpenCV print on their
// own (a damaged file makes FFmpeg print one a frame), so that stderr
// holds the command's own line on what went wrong. OpenCV reads the
// variables it sets when it first opens a capture, so a command calls it
// first thing; a variable the user set wins (OPENCV_FFMPEG_LOGLEVEL=16
// shows FFmpeg's errors again).
func QuietLibraryLogs() {
	levels := map[string]string{
		"OPENCV_FFMPEG_LOGLEVEL": "-8", // AV_LOG_QUIET
		"OPENCV_LOG_LEVEL":       "ERROR",
	}
	for k, v := range levels {
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, v)
		}
	}
}

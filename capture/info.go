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

// Info describes an opened source. It is a plain value, safe to copy and share.
type Info struct {
	// Source is the spec given to Open.
	Source string
	// Kind is one of "webcam", "device", "file", "url", "pipeline".
	Kind string
	// Live is true for webcams, devices, RTSP streams and pipelines, false for
	// files; an http(s) URL is live unless the backend reports a frame count.
	Live bool
	// FrameCount is the number of frames reported by the backend, 0 when
	// unknown (always 0 for live sources).
	FrameCount int64
	// FPS is the frame rate reported by the backend, 0 when unknown.
	FPS float64
	// Width and Height are the size of the frames as sent (after resizing).
	Width, Height int
}

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

package capture

import "gocv.io/x/gocv"

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

// Package capture turns a webcam, a V4L2 device, a video file, a stream URL or a
// GStreamer pipeline into JPEG-encoded framewire frames.
//
// It is the only client-side package that uses gocv (OpenCV). Open returns a
// VideoSource that owns one OpenCV capture and two reusable Mats; the frames it
// returns are plain Go values owned by the caller.
package capture

// Package capture opens a webcam, a V4L2 device, a video file, a stream
// URL, a GStreamer pipeline or photos (a folder, a glob, a list) as a
// source of framewire frames.
//
// A source is a chain of decorators around a reader of decoded frames
// (frames.Reader): OpenReader opens the reader (a *VideoReader, which owns
// one OpenCV capture and two reusable Mats, or an *ImageReader); Encode
// puts the --max-fps schedule (capture/pace) and the encoder
// (capture/frameenc) around it, pacing first, so that a frame dropped is
// never encoded. The client puts capture/reconnect around a live reader
// before Encode. Open, OpenImages and OpenSource do both steps. The
// frames the result gives are plain Go values owned by the caller.
//
// capture and its subpackages, but for capture/imagefiles and
// capture/streamname, are the client-side code that uses gocv (OpenCV):
// a decoded frame is a Mat.
package capture

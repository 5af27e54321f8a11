package capture

import (
	"github.com/framewire/framewire/capture/frameenc"
	"github.com/framewire/framewire/capture/frames"
	"github.com/framewire/framewire/capture/pace"
)

// Info describes an opened source (see frames.Info).
type Info = frames.Info

// OpenReader opens spec as a source of decoded frames: a folder, glob or
// .txt list of images (an *ImageReader) when it names one, else a video
// source (a *VideoReader, see Open for how spec is read). opts are
// checked here; of them the reader uses only whether images are resized.
func OpenReader(spec string, opts Options) (frames.Reader, error) {
	if imageKind(spec) != "" {
		return openImages(spec, opts)
	}
	return openVideo(spec, opts)
}

// Encode is r's frames as the stream sends them: kept under opts.MaxFPS
// (a live source's early frames dropped), then resized and encoded. The
// pacing goes first, so that a dropped frame is never encoded. Encode
// takes r over: closing the result closes r.
func Encode(r frames.Reader, opts Options) *frameenc.Source {
	opts = opts.withDefaults()
	return frameenc.Wrap(pace.Wrap(r, opts.interval()), opts.encoding())
}

// OpenSource opens spec (OpenReader) and encodes its frames (Encode).
func OpenSource(spec string, opts Options) (*frameenc.Source, error) {
	r, err := OpenReader(spec, opts)
	if err != nil {
		return nil, err
	}
	return Encode(r, opts), nil
}

// Open opens spec as a video source and encodes its frames (Encode).
//
// spec is interpreted as: all digits, a webcam index N (/dev/videoN); /dev/...,
// a device path; rtsp://, rtsps://, http:// or https://, a URL; containing
// '!', a GStreamer pipeline (its sink must be appsink); anything else, a file
// that must exist and be readable. A missing webcam, device or file fails
// without touching OpenCV, and errors name the source. Opening a URL may block
// for as long as the OpenCV backend's connection timeout. The first frame is
// read here.
//
// The caller owns the returned source and must Close it.
func Open(spec string, opts Options) (*frameenc.Source, error) {
	r, err := openVideo(spec, opts)
	if err != nil {
		return nil, err
	}
	return Encode(r, opts), nil
}

// OpenImages opens the images spec names (a folder, a glob or a .txt
// list) and encodes them (Encode). The caller must Close the returned
// source.
func OpenImages(spec string, opts Options) (*frameenc.Source, error) {
	r, err := openImages(spec, opts)
	if err != nil {
		return nil, err
	}
	return Encode(r, opts), nil
}

package core

import (
	"context"
	"errors"

	pb "github.com/framewire/framewire/proto"
)

// ErrBadFrame marks failures that are the frame's fault (not an image,
// too large, truncated): they are recorded with the frame and final.
// Every other failure of a frame is the server's and is not recorded.
var ErrBadFrame = errors.New("bad frame")

// Processor does the pixel work on frames: check, decode, detect. It is
// safe for concurrent use; it bounds how many frames it works on at once.
type Processor interface {
	// Detect checks and decodes f and runs the model on it. On success
	// the Detected's Picture belongs to the caller, who must Annotate or
	// Close it. An error wrapping ErrBadFrame is the frame's fault.
	Detect(ctx context.Context, f *pb.Frame) (*Detected, error)
	// Classes are the model's labels; nil when it has none to check.
	Classes() []string
}

// Detected is a decoded frame with what the model found in it.
type Detected struct {
	Width, Height, Channel int32
	// Mean is the mean of all of the decoded image's bytes.
	Mean       float32
	Detections []Detection
	// QueueUs, DecodeUs and InferenceUs are the stage timings so far.
	QueueUs, DecodeUs, InferenceUs int64
	// Picture is the decoded image, for drawing.
	Picture Picture
}

// Picture is one decoded frame kept for drawing. It is used from one
// goroutine at a time.
type Picture interface {
	// Annotate draws dets on the picture, encodes it as a JPEG of the
	// given quality and hands the bytes to use, which must not keep them
	// after it returns (copy to hold on). The picture is closed by it.
	Annotate(dets []Detection, quality int, use func(jpeg []byte) error) error
	// Close frees the picture without drawing. Closing twice, or after
	// Annotate, does nothing.
	Close() error
}

package core

// VideoFrame is an annotated frame's pixels for a stream's video: I420
// (the Y plane, then U and V at half size) of Width x Height, both even.
type VideoFrame struct {
	I420          []byte
	Width, Height int
}

// VideoPicture is a Picture that can also hand over its annotated pixels,
// so that a video is made without decoding the JPEG again.
type VideoPicture interface {
	// KeepVideo has the next Annotate give keep the annotated pixels (a
	// copy keep owns) before the JPEG goes to use. keep may be called on
	// another goroutine.
	KeepVideo(keep func(VideoFrame))
}

// VideoOutput is an Output that makes a video of the annotated frames.
type VideoOutput interface {
	// WantsVideoFrames says the output makes a video and takes the
	// annotated pixels.
	WantsVideoFrames() bool
	// KeepVideoFrame holds frame seq's annotated pixels until the frame
	// is appended. Safe for concurrent use.
	KeepVideoFrame(seq int64, v VideoFrame)
}

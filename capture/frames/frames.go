// Package frames is what a capture source reads before its frames are
// encoded, and the interface the decorators around a source share.
//
// A source (a camera, a video file, photos) is a Reader of decoded
// frames. Behaviour that applies to any source is a decorator that is a
// Reader itself and composes around one: capture/reconnect reopens a
// lost live source, capture/pace keeps frames under a rate cap. At the
// end capture/frameenc encodes what is left for the wire, so a frame
// dropped on the way is never encoded:
//
//	frameenc.Wrap(pace.Wrap(reconnect.New(r, reopen, cfg), interval), enc)
//
// The package holds no behaviour of its own; it is the meeting point of
// those packages, so that none of them imports another.
package frames

import (
	"context"
	"time"

	"gocv.io/x/gocv"

	framewirepb "github.com/framewire/framewire/proto"
)

// Reader reads the decoded frames of one source. Read, SkipTo and Close
// belong to one goroutine; Info may be called from any.
type Reader interface {
	// Read returns the next frame. Its Image belongs to the Reader and
	// is valid until the next Read, SkipTo or Close. Read returns io.EOF
	// at the end of a finite source; other errors say why the source
	// ended.
	Read(ctx context.Context) (Frame, error)
	// SkipTo makes the next frame the one with sequence number seq,
	// without decoding the frames passed; a live source cannot skip.
	SkipTo(seq int64) error
	// Info describes the source; it does not change after it opened.
	Info() Info
	// Close releases the source. It is safe to call more than once.
	Close() error
}

// Frame is one frame as read from a source, before it is encoded.
type Frame struct {
	// Seq is the frame's index in the source, 0-based; frames a live
	// source dropped leave gaps.
	Seq int64
	// At is when the frame was read.
	At time.Time
	// PositionUs is a video file's position of the frame, when known.
	PositionUs *int64
	// Name is a photo's file name (the frame's own source name); "" for
	// the frames of a video.
	Name string
	// Image is the decoded picture, owned by the Reader (see Read); nil
	// when Encoded holds the frame as it goes.
	Image *gocv.Mat
	// Pixels, when set, are Image's own bytes (BGR, continuous), in a
	// buffer the Reader was lent (see BufferUser): they belong to the
	// caller from now on, who gives them back (Buffers.Put) or keeps
	// them; the Reader never writes them again.
	Pixels []byte
	// Encoded is the frame as it goes when the source has it so: a
	// photo's own JPEG or PNG bytes, or the bytes of a file OpenCV cannot
	// read, for the server to record as failed.
	Encoded Encoded
}

// Buffers lends byte buffers for frames' pixels and takes back those no
// one reads any more. Safe for concurrent use.
type Buffers interface {
	// Get lends a buffer of n bytes.
	Get(n int) []byte
	// Put takes a buffer back; it may be lent again.
	Put(b []byte)
}

// BufferUser is a Reader that can decode each frame into a buffer it is
// lent, handing it over as the Frame's Pixels, so that the frame's bytes
// need no copy on their way out. A decorator forwards it to the Reader it
// wraps. UseBuffers is called before the first Read.
type BufferUser interface {
	UseBuffers(b Buffers)
}

// UseBuffers lends r's frames buffers from b when r can use them.
func UseBuffers(r Reader, b Buffers) {
	if u, ok := r.(BufferUser); ok {
		u.UseBuffers(b)
	}
}

// Encoded is a frame's bytes as sent, with their encoding and size.
type Encoded struct {
	Data          []byte
	Encoding      framewirepb.Encoding
	Width, Height int
}

// Info describes an opened source. It is a plain value, safe to copy and share.
type Info struct {
	// Source is the spec the source was opened from.
	Source string
	// Kind is the source's kind: "webcam", "device", "file", "url",
	// "pipeline", or for photos "folder", "glob", "list".
	Kind string
	// Live is true for webcams, devices, RTSP streams and pipelines, false for
	// files; an http(s) URL is live unless the backend reports a frame count.
	Live bool
	// FrameCount is the number of frames reported by the backend, 0 when
	// unknown (always 0 for live sources).
	FrameCount int64
	// FPS is the frame rate reported by the backend, 0 when unknown.
	FPS float64
	// Width and Height are the size of the frames: as read from a Reader
	// of decoded frames, as sent from an encoded source
	// (frameenc.Source); 0 when unknown.
	Width, Height int
}

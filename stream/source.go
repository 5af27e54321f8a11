package stream

import (
	"context"
	"errors"
	"io"

	pb "github.com/framewire/framewire/proto"
)

// FrameSource yields the frames of one stream, each with its sequence number and
// capture time set. Next returns io.EOF after the last frame of a finite
// source. It is called from one goroutine only; the returned frame belongs
// to the caller, and the source never writes to its Data again (it is
// sent without a copy and may be resent after a reconnect).
type FrameSource interface {
	Next(ctx context.Context) (*pb.Frame, error)
}

// Skipper is a FrameSource that can move ahead without producing frames; a
// resuming client uses it to pass frames the server already has.
type Skipper interface {
	// SkipTo makes the next frame the one with sequence number seq.
	SkipTo(seq int64) error
}

// EndReporter is an error of a FrameSource's Next or SkipTo: the source ended
// before the frames it declared. The server is sent its SourceEnd.
type EndReporter interface {
	error
	SourceEnd() *pb.SourceEnd
}

// sourceEnd is the SourceEnd that err carries; nil when none does.
func sourceEnd(err error) *pb.SourceEnd {
	var r EndReporter
	if errors.As(err, &r) {
		return r.SourceEnd()
	}
	return nil
}

// Recycler is a FrameSource that takes back a frame it gave once the
// server answered it, or once a newer frame of a live source replaced it
// unsent: the frame's bytes are never read or sent again, so the source
// may fill them with a later frame instead of allocating. Recycle is
// called from another goroutine than Next (an answered frame) and from
// Next's own, between two calls (a replaced frame).
type Recycler interface {
	Recycle(f *pb.Frame)
}

// until is a FrameSource that ends when its stop context ends.
type until struct {
	src  FrameSource
	stop context.Context
}

// Until returns src ending (io.EOF) once stop ends, also in the middle of
// a Next that waits for a frame: a stream stops gracefully that way. It
// can still skip when src can.
func Until(stop context.Context, src FrameSource) FrameSource {
	u := until{src: src, stop: stop}
	if sk, ok := src.(Skipper); ok {
		return skippingUntil{until: u, Skipper: sk}
	}
	return u
}

// skippingUntil is Until of a Skipper.
type skippingUntil struct {
	until
	Skipper
}

// Recycle passes f back to src when it recycles.
func (u until) Recycle(f *pb.Frame) {
	if r, ok := u.src.(Recycler); ok {
		r.Recycle(f)
	}
}

func (u until) Next(ctx context.Context) (*pb.Frame, error) {
	if u.stop.Err() != nil {
		return nil, io.EOF
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// No goroutine a frame: the stop runs cancel only if it comes.
	defer context.AfterFunc(u.stop, cancel)()
	f, err := u.src.Next(ctx)
	if err != nil && u.stop.Err() != nil {
		return nil, io.EOF
	}
	return f, err
}

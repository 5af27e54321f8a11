package core

import (
	"context"
	"errors"
)

// ErrSuperseded is a live frame's failure when a newer frame of the same
// stream reached the processor while it still waited for a worker: the
// newer frame took its place in the queue. It is neither the frame's
// fault nor the server's: the frame is dropped (FRAME_DROPPED), counted,
// not recorded and not sent again.
var ErrSuperseded = errors.New("superseded by a newer frame of the same live stream")

// newestWinsKey is the context key of a stream's lane.
type newestWinsKey struct{}

// NewestWins is ctx for Processor.Detect of a live stream's frame: lane
// (one comparable value per stream) holds at most one frame waiting for
// the processor, and a newer frame of the same lane takes the waiting
// one's place in the queue, which fails with ErrSuperseded.
func NewestWins(ctx context.Context, lane any) context.Context {
	return context.WithValue(ctx, newestWinsKey{}, lane)
}

// NewestWinsLane is the lane NewestWins put in ctx; nil when there is none
// (every frame is processed, in turn).
func NewestWinsLane(ctx context.Context) any {
	return ctx.Value(newestWinsKey{})
}

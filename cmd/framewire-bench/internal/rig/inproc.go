package rig

import (
	"context"
	"errors"
	"fmt"
	"time"

	pb "github.com/framewire/framewire/proto"
)

// RunInProcess streams frames through the server's own StreamFrames (the
// service and serving.Serve: open, the granted window, one goroutine per
// frame, results committed and sent in order, close) on a call held in
// memory, with no transport, so that beside RunGRPC it shows what the
// transport costs. The client end keeps the granted window full. It
// returns frames per second.
func (b *Bench) RunInProcess(ctx context.Context, r *Rig, frames []*pb.Frame) (float64, error) {
	name := b.StreamName("inproc")
	defer b.DropOutput(name)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the server's receiver, which may outlive StreamFrames
	n := int64(len(frames))
	call := newMemCall(ctx, b.O.Window+2)
	start := time.Now()
	served := make(chan error, 1)
	go func() {
		err := r.Svc.StreamFrames(call)
		if err != nil {
			cancel() // the client end waits for nothing more
		}
		served <- err
	}()
	err := sendAll(ctx, call, &pb.StreamHeader{Name: name, FrameCount: n, Window: int32(b.O.Window)}, frames)
	if err != nil {
		cancel()
	}
	err = errors.Join(<-served, err)
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	return float64(n) / d.Seconds(), nil
}

// sendAll is the client end of call: the header, then frames while the
// granted window has room, the half-close, and the results and summary
// read to the end. It returns the first failure, a frame's included.
func sendAll(ctx context.Context, call *memCall, hdr *pb.StreamHeader, frames []*pb.Frame) error {
	select {
	case call.in <- &pb.StreamRequest{Msg: &pb.StreamRequest_Header{Header: hdr}}:
	case <-ctx.Done():
		return ctx.Err()
	}
	ready, err := next(ctx, call)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	if ready.GetReady() == nil {
		return fmt.Errorf("open: got %v, want ready", ready)
	}
	c := &memClient{call: call, window: int(ready.GetReady().GetWindow()), frames: frames}
	if err := c.run(ctx); err != nil {
		return err
	}
	close(call.in)
	for {
		m, err := next(ctx, call)
		if err != nil || m.GetSummary() != nil {
			return err
		}
	}
}

// next is the server's next message on call.
func next(ctx context.Context, call *memCall) (*pb.StreamResponse, error) {
	select {
	case m := <-call.out:
		return m, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// memClient sends frames on a memCall within the granted window and takes
// their results.
type memClient struct {
	call     *memCall
	window   int
	frames   []*pb.Frame
	sent     int
	inFlight int
}

// run sends every frame and takes every result.
func (c *memClient) run(ctx context.Context) error {
	var msg *pb.StreamRequest
	for c.sent < len(c.frames) || c.inFlight > 0 {
		var in chan<- *pb.StreamRequest
		if c.sent < len(c.frames) && c.inFlight < c.window {
			if msg == nil {
				msg = &pb.StreamRequest{Msg: &pb.StreamRequest_Frame{Frame: stamped(c.frames[c.sent], int64(c.sent))}}
			}
			in = c.call.in
		}
		select {
		case in <- msg:
			c.sent, c.inFlight, msg = c.sent+1, c.inFlight+1, nil
		case m := <-c.call.out:
			if err := c.take(m); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// take is one message from the server while frames are in flight.
func (c *memClient) take(m *pb.StreamResponse) error {
	r := m.GetResult()
	switch {
	case r == nil:
		return fmt.Errorf("stream: got %v before the last result", m)
	case r.GetError() != "":
		return fmt.Errorf("frame %d: %s", r.GetSeq(), r.GetError())
	}
	c.inFlight--
	return nil
}

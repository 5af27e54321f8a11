package rig

import (
	"context"
	"io"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "github.com/framewire/framewire/proto"
)

// memCall is one StreamFrames call held in memory: the server's end of it
// (pb.ImageProcedure_StreamFramesServer) for the service's own
// StreamFrames, and channels for the bench's end. Nothing is serialised
// or sent over a transport.
type memCall struct {
	ctx context.Context
	in  chan *pb.StreamRequest  // the client's messages; closed when it half-closes
	out chan *pb.StreamResponse // the server's messages
}

var _ pb.ImageProcedure_StreamFramesServer = (*memCall)(nil)

// newMemCall is a call under ctx whose server may send up to buffer
// messages before the client reads them.
func newMemCall(ctx context.Context, buffer int) *memCall {
	return &memCall{ctx: ctx, in: make(chan *pb.StreamRequest), out: make(chan *pb.StreamResponse, buffer)}
}

// Recv is the client's next message, io.EOF after it half-closed.
func (c *memCall) Recv() (*pb.StreamRequest, error) {
	select {
	case m, ok := <-c.in:
		if !ok {
			return nil, io.EOF
		}
		return m, nil
	case <-c.ctx.Done():
		return nil, status.FromContextError(c.ctx.Err()).Err()
	}
}

// Send hands m to the client.
func (c *memCall) Send(m *pb.StreamResponse) error {
	select {
	case c.out <- m:
		return nil
	case <-c.ctx.Done():
		return status.FromContextError(c.ctx.Err()).Err()
	}
}

func (c *memCall) Context() context.Context     { return c.ctx }
func (c *memCall) SetHeader(metadata.MD) error  { return nil }
func (c *memCall) SendHeader(metadata.MD) error { return nil }
func (c *memCall) SetTrailer(metadata.MD)       {}
func (c *memCall) SendMsg(m any) error          { return c.Send(m.(*pb.StreamResponse)) }
func (c *memCall) RecvMsg(m any) error          { return recvInto(c, m.(*pb.StreamRequest)) }

// recvInto receives the next message into m.
func recvInto(c *memCall, m *pb.StreamRequest) error {
	got, err := c.Recv()
	if err == nil {
		m.Msg = got.Msg
	}
	return err
}

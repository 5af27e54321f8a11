// Package streamtest helps the tests of every package: an in-memory gRPC
// server and client (bufconn), frame sources from a slice or a channel,
// and small real images.
package streamtest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	pb "github.com/framewire/framewire/proto"
)

// Dial serves srv in memory and returns a client connection to it; both
// end with the test.
func Dial(t testing.TB, srv *grpc.Server) *grpc.ClientConn {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallSendMsgSize(32<<20), grpc.MaxCallRecvMsgSize(32<<20)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Frames is a source of the frames in the slice, in order.
type Frames []*pb.Frame

// Next yields the next frame, then io.EOF.
func (f *Frames) Next(ctx context.Context) (*pb.Frame, error) {
	if len(*f) == 0 {
		return nil, io.EOF
	}
	x := (*f)[0]
	*f = (*f)[1:]
	return x, nil
}

// Chan is a source of the frames sent on it, until it is closed.
type Chan chan *pb.Frame

// Next waits for a frame, io.EOF once the channel is closed.
func (c Chan) Next(ctx context.Context) (*pb.Frame, error) {
	select {
	case f, ok := <-c:
		if !ok {
			return nil, io.EOF
		}
		return f, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// PNG is a w x h image of one colour, as PNG bytes.
func PNG(t testing.TB, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// JPEG is a w x h black image as JPEG bytes.
func JPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// GrayFrames is n PNG frames, frame i a flat grey of level 2*i.
func GrayFrames(t testing.TB, n int) *Frames {
	t.Helper()
	f := make(Frames, n)
	for i := range n {
		f[i] = &pb.Frame{Seq: int64(i), Encoding: pb.Encoding_ENCODING_PNG, Data: PNG(t, 32, 24, color.Gray{Y: uint8(2 * i)})}
	}
	return &f
}

package meanwh

import (
	"bytes"
	"testing"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	pb "github.com/framewire/framewire/proto"
)

// buffersOf cuts b into buffers of size bytes, as a message arrives.
func buffersOf(b []byte, size int) mem.BufferSlice {
	var out mem.BufferSlice
	for len(b) > 0 {
		n := min(size, len(b))
		out = append(out, mem.SliceBuffer(bytes.Clone(b[:n])))
		b = b[n:]
	}
	return out
}

// The codec reads a B64Image as the proto codec does, whatever the
// buffers: negative sizes, unknown fields skipped, the last of a repeated
// field winning; and it reads other messages with the proto codec.
func TestCodecReadsB64ImageAsProto(t *testing.T) {
	text := bytes.Repeat([]byte("QUJD"), 5000)
	msg, err := proto.Marshal(&pb.B64Image{B64Image: "ZZZZ", Width: -3, Height: 7})
	if err != nil {
		t.Fatal(err)
	}
	msg = protowire.AppendTag(msg, 9, protowire.BytesType) // unknown
	msg = protowire.AppendBytes(msg, []byte("ignored"))
	msg = protowire.AppendTag(msg, 10, protowire.Fixed64Type)
	msg = protowire.AppendFixed64(msg, 1)
	msg = protowire.AppendTag(msg, 1, protowire.BytesType) // b64image again: this one wins
	msg = protowire.AppendBytes(msg, text)
	c := NewCodec()
	for _, size := range []int{1, 7, 16384, len(msg)} {
		var r Request
		if err := c.Unmarshal(buffersOf(msg, size), &r); err != nil {
			t.Fatalf("buffers of %d: %v", size, err)
		}
		if got := bytes.Join(r.Text, nil); !bytes.Equal(got, text) || r.Width != -3 || r.Height != 7 {
			t.Errorf("buffers of %d: got %d bytes of text, %dx%d; want %d, -3x7", size, len(got), r.Width, r.Height, len(text))
		}
		r.Free()
	}
	var r Request
	if err := c.Unmarshal(buffersOf(msg[:len(msg)-1], 100), &r); err == nil {
		t.Error("a truncated message was read without error")
	}
	var p pb.Prediction
	out, err := c.Marshal(&pb.Prediction{Channel: 3, Mean: 1.5})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Unmarshal(out, &p); err != nil || p.GetChannel() != 3 || p.GetMean() != 1.5 {
		t.Errorf("Prediction through the codec: %v, %v", &p, err)
	}
}

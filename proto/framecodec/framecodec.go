// Package framecodec is gRPC's proto codec with a frame's pixels left
// where they are. A StreamRequest carrying a large Frame is written as the
// Frame's other fields, then its data as the caller's own slice (no copy
// into a marshal buffer), and read into one buffer whose data field the
// Frame keeps (no second copy out of it). The bytes on the wire are a
// valid encoding of the same message (the data field last), so either end
// may use the plain proto codec. Every other message, and frames smaller
// than MinBytes, go to gRPC's proto codec.
package framecodec

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	framewirepb "github.com/framewire/framewire/proto"
)

// MinBytes is the smallest frame data the codec handles itself; below it
// the copies cost less than the codec's own work.
const MinBytes = 64 << 10

// Field numbers of the wire contract (proto/image_procedure.proto).
const (
	requestFrame protowire.Number = 2 // StreamRequest.frame
	frameData    protowire.Number = 4 // Frame.data
)

// Codec is gRPC's proto codec, except for StreamRequests with a large
// frame. Use it on both ends (grpc.ForceCodecV2 on a client's calls,
// grpc.ForceServerCodecV2 on a server).
type Codec struct{ proto encoding.CodecV2 }

var _ encoding.CodecV2 = Codec{}

// New wraps gRPC's registered proto codec.
func New() Codec { return Codec{proto: encoding.GetCodecV2(grpcproto.Name)} }

// Name is the proto codec's, so that the other end sees nothing different.
func (c Codec) Name() string { return grpcproto.Name }

// Marshal writes a StreamRequest's large frame as its other fields and
// then its data, which the returned buffers share with the frame without
// a copy. gRPC may hold them after SendMsg returns (its write queue), so
// a frame's Data must never change once it is sent: every frame source
// gives each frame slice of its own (stream.FrameSource).
func (c Codec) Marshal(v any) (mem.BufferSlice, error) {
	f, ok := largeFrame(v)
	if !ok {
		return c.proto.Marshal(v)
	}
	rest, err := proto.Marshal(WithoutData(f))
	if err != nil {
		return nil, fmt.Errorf("marshal frame %d: %w", f.GetSeq(), err)
	}
	return mem.BufferSlice{mem.SliceBuffer(frameHead(rest, len(f.Data))), mem.SliceBuffer(f.Data)}, nil
}

// largeFrame is v's frame when v is a StreamRequest with nothing but a
// frame of at least MinBytes of data.
func largeFrame(v any) (*framewirepb.Frame, bool) {
	req, ok := v.(*framewirepb.StreamRequest)
	f := req.GetFrame()
	return f, ok && len(f.GetData()) >= MinBytes && len(req.ProtoReflect().GetUnknown()) == 0
}

// frameHead is what goes before n bytes of data: the request's frame
// field, its length, the frame's other fields rest, the data's tag and
// length.
func frameHead(rest []byte, n int) []byte {
	head := make([]byte, 0, len(rest)+24)
	head = protowire.AppendTag(head, requestFrame, protowire.BytesType)
	head = protowire.AppendVarint(head, uint64(len(rest)+protowire.SizeTag(frameData)+protowire.SizeBytes(n)))
	head = append(head, rest...)
	head = protowire.AppendTag(head, frameData, protowire.BytesType)
	return protowire.AppendVarint(head, uint64(n))
}

// WithoutData is a copy of f without its data: every other field, set
// or not, and its unknown fields.
func WithoutData(f *framewirepb.Frame) *framewirepb.Frame {
	out := &framewirepb.Frame{}
	dst, src := out.ProtoReflect(), f.ProtoReflect()
	src.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Number() != frameData {
			dst.Set(fd, v)
		}
		return true
	})
	dst.SetUnknown(src.GetUnknown())
	return out
}

// Unmarshal reads a large StreamRequest into one buffer of its own, the
// frame's data a part of it; anything else goes to the proto codec.
func (c Codec) Unmarshal(data mem.BufferSlice, v any) error {
	req, ok := v.(*framewirepb.StreamRequest)
	if !ok || data.Len() < MinBytes {
		return c.proto.Unmarshal(data, v)
	}
	return unmarshalRequest(data.Materialize(), req)
}

// unmarshalRequest reads buf into req. A message that is exactly one
// frame field has its frame read by unmarshalFrame; any other (or one
// that does not parse) is proto.Unmarshal's, errors included.
func unmarshalRequest(buf []byte, req *framewirepb.StreamRequest) error {
	frame, ok := onlyField(buf, requestFrame)
	if !ok {
		return proto.Unmarshal(buf, req)
	}
	f, err := unmarshalFrame(frame)
	if err != nil {
		return proto.Unmarshal(buf, req)
	}
	proto.Reset(req)
	req.Msg = &framewirepb.StreamRequest_Frame{Frame: f}
	return nil
}

// onlyField returns the value of the length-delimited field num when b
// holds that field once and nothing else.
func onlyField(b []byte, num protowire.Number) ([]byte, bool) {
	n, typ, k := protowire.ConsumeTag(b)
	if k < 0 || n != num || typ != protowire.BytesType {
		return nil, false
	}
	v, m := protowire.ConsumeBytes(b[k:])
	if m < 0 || k+m != len(b) {
		return nil, false
	}
	return v, true
}

// unmarshalFrame reads a Frame whose data is a part of b (the last data
// field, as proto does); its other fields go through proto.Unmarshal.
func unmarshalFrame(b []byte) (*framewirepb.Frame, error) {
	rest, data, err := splitData(b)
	if err != nil {
		return nil, err
	}
	f := &framewirepb.Frame{}
	if err := proto.Unmarshal(rest, f); err != nil {
		return nil, err
	}
	f.Data = data
	return f, nil
}

// splitData splits a Frame's fields b into its data, in place, and a
// copy of every other field.
func splitData(b []byte) (rest, data []byte, err error) {
	for len(b) > 0 {
		n, err := fieldLen(b)
		if err != nil {
			return nil, nil, err
		}
		if num, typ, k := protowire.ConsumeTag(b); num == frameData && typ == protowire.BytesType {
			data, _ = protowire.ConsumeBytes(b[k:])
		} else {
			rest = append(rest, b[:n]...)
		}
		b = b[n:]
	}
	return rest, data, nil
}

// fieldLen is the length of the field, tag and value, b starts with.
func fieldLen(b []byte) (int, error) {
	num, typ, k := protowire.ConsumeTag(b)
	if k < 0 {
		return 0, protowire.ParseError(k)
	}
	m := protowire.ConsumeFieldValue(num, typ, b[k:])
	if m < 0 {
		return 0, protowire.ParseError(m)
	}
	return k + m, nil
}

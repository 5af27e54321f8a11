package stream

import (
	"google.golang.org/protobuf/encoding/protowire"

	pb "github.com/framewire/framewire/proto"
)

// Frame.source_name and Frame.position_us are not in the generated code
// yet (the proto's FrameResult echoes them, its Frame lacks them). Until
// they are, both ends carry them as Frame fields 8 and 9 in the message's
// unknown fields: on the wire this is exactly what
//
//	string source_name = 8;
//	optional int64 position_us = 9;
//
// in message Frame would send, so clients and servers keep working when
// the fields are added; these two functions then become the generated
// accessors.
const (
	frameSourceNameField protowire.Number = 8
	framePositionUsField protowire.Number = 9
)

// FrameMeta is where a frame comes from in its source.
type FrameMeta struct {
	// SourceName names the file the frame is (a photo of a folder, glob
	// or list); empty for video frames.
	SourceName string
	// PositionUs is the frame's position in a video file, microseconds
	// from its start; valid only when HasPosition.
	PositionUs  int64
	HasPosition bool
}

// SetFrameMeta records m in f (nothing for the zero FrameMeta).
func SetFrameMeta(f *pb.Frame, m FrameMeta) {
	b := f.ProtoReflect().GetUnknown()
	if m.SourceName != "" {
		b = protowire.AppendTag(b, frameSourceNameField, protowire.BytesType)
		b = protowire.AppendString(b, m.SourceName)
	}
	if m.HasPosition {
		b = protowire.AppendTag(b, framePositionUsField, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(m.PositionUs))
	}
	f.ProtoReflect().SetUnknown(b)
}

// GetFrameMeta reads what SetFrameMeta recorded in f; malformed or other
// unknown fields are ignored.
func GetFrameMeta(f *pb.Frame) FrameMeta {
	var m FrameMeta
	b := f.ProtoReflect().GetUnknown()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return m
		}
		b = b[n:]
		n = m.consume(num, typ, b)
		if n < 0 {
			return m
		}
		b = b[n:]
	}
	return m
}

// consume reads one field's value from b and returns its length.
func (m *FrameMeta) consume(num protowire.Number, typ protowire.Type, b []byte) int {
	switch {
	case num == frameSourceNameField && typ == protowire.BytesType:
		v, n := protowire.ConsumeString(b)
		if n >= 0 {
			m.SourceName = v
		}
		return n
	case num == framePositionUsField && typ == protowire.VarintType:
		v, n := protowire.ConsumeVarint(b)
		if n >= 0 {
			m.PositionUs, m.HasPosition = int64(v), true
		}
		return n
	}
	return protowire.ConsumeFieldValue(num, typ, b)
}

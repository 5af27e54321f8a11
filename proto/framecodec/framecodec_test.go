package framecodec

import (
	"bytes"
	"runtime"
	"testing"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	framewirepb "github.com/framewire/framewire/proto"
)

// frameRequest is a StreamRequest with a frame of n data bytes and every
// other field of Frame set (position_us too, which is optional).
func frameRequest(n int) *framewirepb.StreamRequest {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 7)
	}
	pos := int64(-3)
	f := &framewirepb.Frame{Seq: 41, CaptureUnixNano: 1 << 60, Encoding: framewirepb.Encoding_ENCODING_RAW_BGR,
		Data: data, Width: 640, Height: 480, DroppedBefore: 2, SourceName: "cam é", PositionUs: &pos,
		Shared: &framewirepb.SharedSlot{Index: 3, Length: 9}}
	return &framewirepb.StreamRequest{Msg: &framewirepb.StreamRequest_Frame{Frame: f}}
}

// TestEveryFrameFieldGoesThrough fails when a Frame field is added
// without the codec writing it: every field but data is set and must
// come back through the codec and through the plain proto codec.
func TestEveryFrameFieldGoesThrough(t *testing.T) {
	req := frameRequest(MinBytes)
	fr := req.GetFrame().ProtoReflect()
	fields := fr.Descriptor().Fields()
	for i := range fields.Len() {
		if fd := fields.Get(i); !fr.Has(fd) {
			t.Fatalf("frameRequest leaves Frame.%s unset; set it so that this test covers it", fd.Name())
		}
	}
	c := New()
	wire, err := c.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	viaProto := &framewirepb.StreamRequest{}
	if err := proto.Unmarshal(wire.Materialize(), viaProto); err != nil {
		t.Fatalf("the proto codec cannot read the codec's bytes: %v", err)
	}
	if !proto.Equal(viaProto, req) {
		t.Errorf("through the codec and proto.Unmarshal:\ngot  %v\nwant %v", short(viaProto), short(req))
	}
	viaCodec := &framewirepb.StreamRequest{}
	if err := c.Unmarshal(wire, viaCodec); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(viaCodec, req) {
		t.Errorf("through the codec both ways:\ngot  %v\nwant %v", short(viaCodec), short(req))
	}
}

// short is m without its data, for messages.
func short(m *framewirepb.StreamRequest) *framewirepb.StreamRequest {
	c := proto.Clone(m).(*framewirepb.StreamRequest)
	if f := c.GetFrame(); f != nil {
		f.Data = f.Data[:min(len(f.Data), 4)]
	}
	return c
}

// TestReadsWhatProtoWrites reads the plain proto codec's bytes (data in
// field order, unknown fields, data given twice) as proto.Unmarshal does.
func TestReadsWhatProtoWrites(t *testing.T) {
	twice := frameRequest(MinBytes)
	b, _ := proto.Marshal(twice)
	b = append(b, 0x12, 3, 0x22, 1, 'x') // another frame field: its data is the last
	unknown := frameRequest(MinBytes)
	unknown.GetFrame().ProtoReflect().SetUnknown(protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 5))
	u, _ := proto.Marshal(unknown)
	header, _ := proto.Marshal(&framewirepb.StreamRequest{Msg: &framewirepb.StreamRequest_Header{Header: &framewirepb.StreamHeader{Name: string(make([]byte, MinBytes))}}})
	for name, in := range map[string][]byte{"twice": b, "unknown field": u, "header": header, "small": mustMarshal(t, frameRequest(10))} {
		want := &framewirepb.StreamRequest{}
		if err := proto.Unmarshal(in, want); err != nil {
			t.Fatal(err)
		}
		got := &framewirepb.StreamRequest{}
		if err := New().Unmarshal(mem.BufferSlice{mem.SliceBuffer(in)}, got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, short(got), short(want))
		}
	}
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTruncatedFrameFails: a cut message is an error, as proto's.
func TestTruncatedFrameFails(t *testing.T) {
	b := mustMarshal(t, frameRequest(MinBytes))
	if err := New().Unmarshal(mem.BufferSlice{mem.SliceBuffer(b[:len(b)-1])}, &framewirepb.StreamRequest{}); err == nil {
		t.Error("a truncated frame was read without an error")
	}
}

// TestFrameDataIsNotCopied: Marshal sends the frame's own slice, and
// Unmarshal allocates no more than one buffer of the message's size
// (BenchmarkUnmarshal shows the copy it saves against the proto codec).
func TestFrameDataIsNotCopied(t *testing.T) {
	req := frameRequest(1 << 20)
	c := New()
	wire, err := c.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if last := wire[len(wire)-1].ReadOnlyData(); &last[0] != &req.GetFrame().Data[0] {
		t.Error("Marshal copied the frame's data")
	}
	in := mustMarshal(t, req)
	chunks := mem.BufferSlice{}
	for b := in; len(b) > 0; b = b[min(len(b), 16<<10):] {
		chunks = append(chunks, mem.SliceBuffer(b[:min(len(b), 16<<10)]))
	}
	const runs = 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		got := &framewirepb.StreamRequest{}
		if err := c.Unmarshal(chunks, got); err != nil || !bytes.Equal(got.GetFrame().GetData(), req.GetFrame().Data) {
			t.Fatalf("Unmarshal: %v, or the data differs", err)
		}
	}
	runtime.ReadMemStats(&after)
	perRun := float64(after.TotalAlloc-before.TotalAlloc) / runs
	if limit := 1.1 * float64(len(in)); perRun > limit {
		t.Errorf("Unmarshal allocated %.0f bytes a message of %d bytes, want at most %.0f (one buffer)", perRun, len(in), limit)
	}
}

// BenchmarkMarshal and BenchmarkUnmarshal compare the codec with gRPC's
// proto codec on a 768x576 raw frame in 16 KB buffers, as it arrives.
func BenchmarkMarshal(b *testing.B) {
	req := frameRequest(768 * 576 * 3)
	for name, c := range map[string]interface {
		Marshal(any) (mem.BufferSlice, error)
	}{"framecodec": New(), "proto": New().proto} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, _ := c.Marshal(req)
				out.Free()
			}
		})
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	req := frameRequest(768 * 576 * 3)
	in, _ := proto.Marshal(req)
	chunks := mem.BufferSlice{}
	for b := in; len(b) > 0; b = b[min(len(b), 16<<10):] {
		chunks = append(chunks, mem.SliceBuffer(b[:min(len(b), 16<<10)]))
	}
	for name, c := range map[string]interface {
		Unmarshal(mem.BufferSlice, any) error
	}{"framecodec": New(), "proto": New().proto} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.Unmarshal(chunks, &framewirepb.StreamRequest{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

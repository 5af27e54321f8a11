package stream

import (
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/framewire/framewire/proto"
)

func TestFrameMetaSurvivesTheWire(t *testing.T) {
	for _, want := range []FrameMeta{
		{},
		{SourceName: "photos/dog.jpg"},
		{PositionUs: 0, HasPosition: true},
		{SourceName: "ü.png", PositionUs: 123456789, HasPosition: true},
	} {
		f := &pb.Frame{Seq: 3, Data: []byte{1, 2}}
		SetFrameMeta(f, want)
		b, err := proto.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var back pb.Frame
		if err := proto.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if got := GetFrameMeta(&back); got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if back.GetSeq() != 3 {
			t.Errorf("seq: got %d, want 3", back.GetSeq())
		}
	}
}

func TestFrameMetaIgnoresGarbage(t *testing.T) {
	f := &pb.Frame{}
	f.ProtoReflect().SetUnknown([]byte{0x42, 0xff})
	if got := GetFrameMeta(f); got != (FrameMeta{}) {
		t.Errorf("got %+v from malformed bytes, want the zero FrameMeta", got)
	}
}

func TestTracksText(t *testing.T) {
	got := TracksText(map[string]int64{"car": 3, "person": 12, "bus": 3})
	if want := "person 12, bus 3, car 3"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := TracksText(nil); got != "" {
		t.Errorf("no tracks: got %q, want empty", got)
	}
}

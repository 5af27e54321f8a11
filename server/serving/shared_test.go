package serving

import (
	"bytes"
	"testing"

	"github.com/framewire/framewire/internal/shm"
	pb "github.com/framewire/framewire/proto"
)

// A raw frame's pixels are read in its slot; a compressed frame is
// copied out, so that the client cannot change it between the server's
// reading of its header and of its image.
func TestUnshareCopiesOnlyCompressedFrames(t *testing.T) {
	s, err := shm.Create(shm.NewLayout(2, 64))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	slot, _ := s.Slot(1, 12)
	for _, c := range []struct {
		enc     pb.Encoding
		aliases bool
	}{{pb.Encoding_ENCODING_RAW_BGR, true}, {pb.Encoding_ENCODING_JPEG, false}, {pb.Encoding_ENCODING_PNG, false}} {
		copy(slot, "abcdefghijkl")
		f := &pb.Frame{Encoding: c.enc, Shared: &pb.SharedSlot{Index: 1, Length: 12}}
		if err := unshare(f, s); err != nil || f.GetShared() != nil {
			t.Fatalf("%v: unshare: %v, shared %v", c.enc, err, f.GetShared())
		}
		copy(slot, "XXXXXXXXXXXX") // the client writes the slot again
		if got := bytes.Equal(f.Data, slot); got != c.aliases {
			t.Errorf("%v: the frame's bytes follow the slot: %v, want %v", c.enc, got, c.aliases)
		}
	}
}

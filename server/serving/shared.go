package serving

import (
	"bytes"
	"errors"
	"fmt"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"

	"github.com/framewire/framewire/internal/shm"
	pb "github.com/framewire/framewire/proto"
)

// localSlotBytes is maxSlot for a call from this machine (a Unix socket
// or a loopback address), else 0: a remote caller could not write the
// memory, only have the server read and process whole frames of it for
// a few bytes a message.
func localSlotBytes(call grpc.ServerStream, maxSlot int64) int64 {
	p, ok := peer.FromContext(call.Context())
	if !ok {
		return 0
	}
	switch a := p.Addr.(type) {
	case *net.UnixAddr:
		return maxSlot
	case *net.TCPAddr:
		if a.IP.IsLoopback() {
			return maxSlot
		}
	}
	return 0
}

// sharedLayout is the shared memory a call's header asks for, bounded by
// the server's largest slot: one slot per window place. ok is false when
// the header asks for none or the server gives none.
func sharedLayout(hdr *pb.StreamHeader, window int, maxSlot int64) (shm.Layout, bool) {
	asked := hdr.GetSharedMemorySlotBytes()
	if asked <= 0 || maxSlot <= 0 {
		return shm.Layout{}, false
	}
	return shm.NewLayout(window, min(asked, maxSlot)), true
}

// openShared makes the call's shared memory when its header asks for it;
// nil (the frames come in their messages) when it does not or the memory
// cannot be made, which the client copes with.
func openShared(hdr *pb.StreamHeader, window int, maxSlot int64) *shm.Slots {
	l, ok := sharedLayout(hdr, window, maxSlot)
	if !ok {
		return nil
	}
	s, err := shm.Create(l)
	if err != nil {
		return nil
	}
	return s
}

// sharedMemory describes s for the client; nil for no shared memory.
func sharedMemory(s *shm.Slots) *pb.SharedMemory {
	if s == nil {
		return nil
	}
	l := s.Layout()
	return &pb.SharedMemory{Path: s.Path(), Token: s.Token(), Slots: int32(l.Count), SlotBytes: l.Size, Offset: l.Offset}
}

// errNoSharedMemory is a frame's in a slot of a call without shared memory.
var errNoSharedMemory = errors.New("the frame is in shared memory, but this call has none")

// unshare gives a frame sent in a slot of s its bytes. A raw frame's are
// the slot itself (no copy): the client writes the slot again only once
// the frame's result is sent, after Process returned, and a client that
// writes it sooner spoils its own pixels and nothing else (their size is
// the message's width and height, the slot's length fixed). A compressed
// frame is copied out: it is read twice, its header for the size checks
// and then the image, and the client must not change one between them.
func unshare(f *pb.Frame, s *shm.Slots) error {
	slot := f.GetShared()
	if slot == nil {
		return nil
	}
	if s == nil {
		return errNoSharedMemory
	}
	b, err := s.Slot(int(slot.GetIndex()), slot.GetLength())
	if err != nil {
		return fmt.Errorf("frame %d: %w", f.GetSeq(), err)
	}
	if f.GetEncoding() != pb.Encoding_ENCODING_RAW_BGR {
		b = bytes.Clone(b)
	}
	f.Data, f.Shared = b, nil
	return nil
}

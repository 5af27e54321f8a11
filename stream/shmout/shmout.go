// Package shmout writes a call's frames into the memory a server on the
// same machine shares with the client (StreamReady.shared_memory), so
// that their bytes do not go through the socket.
package shmout

import (
	"github.com/framewire/framewire/internal/shm"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/proto/framecodec"
)

// Writer puts frames into the slots in turn: with as many slots as the
// call's window, a slot is written again only after the result of the
// frame it held arrived (the server reads a frame in its slot until it
// answers it). It belongs to the call's sender.
type Writer struct {
	slots *shm.Slots
	next  int
	sent  int64
}

// Open maps the memory sm describes; it fails when sm names something
// that is not the server's region on this machine (another machine,
// another user, another container).
func Open(sm *pb.SharedMemory) (*Writer, error) {
	l := shm.Layout{Count: int(sm.GetSlots()), Size: sm.GetSlotBytes(), Offset: sm.GetOffset()}
	s, err := shm.Open(sm.GetPath(), sm.GetToken(), l)
	if err != nil {
		return nil, err
	}
	return &Writer{slots: s}, nil
}

// Frame is f as it is sent: a raw frame without its bytes, which go into
// the next slot, when they fit one; else f itself. f is not changed: a resend
// after a broken call takes it again. A nil Writer sends f as it is.
func (w *Writer) Frame(f *pb.Frame) *pb.Frame {
	if w == nil || len(f.GetData()) == 0 || f.GetEncoding() != pb.Encoding_ENCODING_RAW_BGR {
		return f // a compressed frame is small, and the server would copy it out
	}
	i := w.next % w.slots.Layout().Count
	dst, err := w.slots.Slot(i, int64(len(f.Data)))
	if err != nil {
		return f // larger than a slot
	}
	copy(dst, f.Data)
	w.next++
	w.sent++
	out := framecodec.WithoutData(f)
	out.Shared = &pb.SharedSlot{Index: int32(i), Length: int64(len(f.Data))}
	return out
}

// Sent is how many frames went through the memory.
func (w *Writer) Sent() int64 {
	if w == nil {
		return 0
	}
	return w.sent
}

// Close unmaps the memory, once the call's sender is done.
func (w *Writer) Close() error {
	if w == nil {
		return nil
	}
	return w.slots.Close()
}

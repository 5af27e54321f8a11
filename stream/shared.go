package stream

import (
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream/shmout"
)

// openShared maps the memory the server offers in ready; nil (frames go
// in their messages) for none, or one that cannot be opened here.
func (r *run) openShared(ready *pb.StreamReady) *shmout.Writer {
	if ready.GetSharedMemory() == nil {
		return nil
	}
	w, err := shmout.Open(ready.GetSharedMemory())
	r.sum.SharedMemoryErr = err // the last call's say
	return w
}

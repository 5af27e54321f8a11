package serving

import (
	"context"
	"fmt"

	pb "github.com/framewire/framewire/proto"
)

// queueTeller sends StreamQueued on one call, if its client asked for it.
type queueTeller struct {
	call pb.ImageProcedure_StreamFramesServer
	want bool // the header set queue_updates
}

type queueTellerKey struct{}

// withQueueTeller is the context Handler.Open gets: the call's, carrying
// what TellQueued needs.
func withQueueTeller(call pb.ImageProcedure_StreamFramesServer, hdr *pb.StreamHeader) context.Context {
	return context.WithValue(call.Context(), queueTellerKey{}, &queueTeller{call: call, want: hdr.GetQueueUpdates()})
}

// TellQueued tells the client of the call whose Handler.Open got ctx that
// its stream waits for a slot, at q's position. Only Open may call it,
// from its own goroutine, before it returns. It sends nothing to a client
// whose header did not ask for queue updates (such a client waits for
// ready without them); an error means the call broke.
func TellQueued(ctx context.Context, q *pb.StreamQueued) error {
	t, ok := ctx.Value(queueTellerKey{}).(*queueTeller)
	if !ok || !t.want {
		return nil
	}
	if err := t.call.Send(&pb.StreamResponse{Msg: &pb.StreamResponse_Queued{Queued: q}}); err != nil {
		return fmt.Errorf("send queue position: %w", err)
	}
	return nil
}

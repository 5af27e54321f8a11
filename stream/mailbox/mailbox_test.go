package mailbox

import (
	"context"
	"testing"

	pb "github.com/framewire/framewire/proto"
)

func TestMailboxStampsDropsOnTakenFrames(t *testing.T) {
	m := New()
	ctx := context.Background()
	var sumBefore int64
	take := func(wantSeq, wantBefore int64) {
		t.Helper()
		f := m.Take(ctx)
		if f == nil || f.Seq != wantSeq || f.DroppedBefore != wantBefore {
			t.Fatalf("took %v, want seq %d with %d dropped before", f, wantSeq, wantBefore)
		}
		sumBefore += f.DroppedBefore
	}
	for i := range int64(3) {
		m.Put(&pb.Frame{Seq: i})
	}
	take(2, 2)
	m.Put(&pb.Frame{Seq: 3})
	take(3, 0)
	for i := int64(4); i < 9; i++ {
		m.Put(&pb.Frame{Seq: i})
	}
	m.Close()
	take(8, 4)
	if f := m.Take(ctx); f != nil {
		t.Fatalf("closed, empty mailbox gave %v", f)
	}
	if sumBefore != m.Drops() {
		t.Errorf("frames carried %d drops, the mailbox counted %d", sumBefore, m.Drops())
	}
}

package stream

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/serving"
)

// queueingHandler tells each stream it waits at positions, then opens it.
type queueingHandler struct {
	echoHandler
	positions []int32
	asked     atomic.Bool // the header asked for queue updates
}

func (h *queueingHandler) Open(ctx context.Context, hdr *pb.StreamHeader) (serving.Session, error) {
	h.asked.Store(hdr.GetQueueUpdates())
	for _, p := range h.positions {
		if err := serving.TellQueued(ctx, &pb.StreamQueued{Position: p, MaxStreams: 1}); err != nil {
			return nil, err
		}
	}
	return &h.echoHandler, nil
}

// The client asks for queue updates, hands each one to OnQueued before
// ready, and then streams as usual.
func TestQueuePlacesComeBeforeReady(t *testing.T) {
	h := &queueingHandler{positions: []int32{3, 2, 1}}
	c := dial(t, h, serving.Config{})
	var got []int32
	ready := false
	sum, err := c.Run(context.Background(), &countSource{n: 5}, ClientConfig{
		Header: &pb.StreamHeader{Name: "q"},
		OnQueued: func(q *pb.StreamQueued) {
			if ready {
				t.Errorf("queue place %d after ready", q.GetPosition())
			}
			got = append(got, q.GetPosition())
		},
		OnReady: func(*pb.StreamReady) { ready = true },
	})
	if err != nil || sum.Processed != 5 {
		t.Fatalf("run: %v, %d processed, want 5", err, sum.Processed)
	}
	if !h.asked.Load() {
		t.Error("the header did not ask for queue updates")
	}
	if !slices.Equal(got, h.positions) {
		t.Errorf("OnQueued got %v, want %v", got, h.positions)
	}
}

// fullHandler refuses the first refusals streams as a full server does.
type fullHandler struct {
	echoHandler
	refusals atomic.Int32
}

func (h *fullHandler) Open(ctx context.Context, hdr *pb.StreamHeader) (serving.Session, error) {
	if h.refusals.Add(-1) >= 0 {
		st, err := status.New(codes.ResourceExhausted, "full").WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(20 * time.Millisecond)})
		if err != nil {
			return nil, err
		}
		return nil, st.Err()
	}
	return &h.echoHandler, nil
}

// A full server's refusal that says when to try again is not a failure:
// the client tries again as often as it takes, even with MaxRetries 0.
func TestFullServerIsTriedAgainWithoutSpendingRetries(t *testing.T) {
	h := &fullHandler{}
	h.refusals.Store(3)
	c := dial(t, h, serving.Config{})
	var told []int
	sum, err := c.Run(context.Background(), &countSource{n: 2}, ClientConfig{
		Header:      &pb.StreamHeader{Name: "full"},
		OnReconnect: func(failures int, wait time.Duration, err error) { told = append(told, failures) },
	})
	if err != nil || sum.Processed != 2 {
		t.Fatalf("run: %v, %d processed, want 2", err, sum.Processed)
	}
	if !slices.Equal(told, []int{0, 0, 0}) {
		t.Errorf("OnReconnect got failures %v, want 0 for each of the 3 refusals", told)
	}
}

// closedPort is a loopback address where nothing listens.
func closedPort(t *testing.T) *Client {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return NewClient(pb.NewImageProcedureClient(conn))
}

// A server that was never reached fails the run at the first call, not
// after MaxRetries reconnections: those are for streams that broke.
func TestUnreachableServerFailsAtOnce(t *testing.T) {
	start := time.Now()
	sum, err := closedPort(t).Run(context.Background(), &countSource{n: 1}, ClientConfig{
		Header: &pb.StreamHeader{Name: "nobody"}, MaxRetries: 10,
		OnReconnect: func(int, time.Duration, error) { t.Error("reconnecting to a server never reached") },
	})
	if !errors.Is(err, ErrUnreachable) || status.Code(err) != codes.Unavailable {
		t.Errorf("got %v, want ErrUnreachable with Unavailable", err)
	}
	if took := time.Since(start); took > 2*time.Second || sum.Reconnects != 0 {
		t.Errorf("failing took %v and %d reconnections, want at once", took, sum.Reconnects)
	}
}

// WaitForServer keeps trying a server never reached for that long, says
// so once, then fails with ErrUnreachable.
func TestWaitForServerGivesUpAfterTheWait(t *testing.T) {
	const wait = 500 * time.Millisecond
	start := time.Now()
	told := 0
	_, err := closedPort(t).Run(context.Background(), &countSource{n: 1}, ClientConfig{
		Header: &pb.StreamHeader{Name: "nobody"}, WaitForServer: wait,
		OnWaitForServer: func(error) { told++ },
	})
	took := time.Since(start)
	if !errors.Is(err, ErrUnreachable) {
		t.Errorf("got %v, want ErrUnreachable", err)
	}
	if took < wait || took > wait+3*time.Second {
		t.Errorf("gave up after %v, want just after %v", took, wait)
	}
	if told != 1 {
		t.Errorf("OnWaitForServer told %d times, want once", told)
	}
}

package stream

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/serving"
)

// sharedSlot is the slot the tests' clients ask for; every tenth frame of
// a recyclingSource is larger.
const sharedSlot = 64

// recyclingSource yields n frames, frame i's bytes "frame i" padded to 48
// bytes (100 for every tenth, more than a slot), and spoils the bytes
// given back to it, as a source that fills them with a later frame does.
type recyclingSource struct {
	n, next  int64
	mu       sync.Mutex
	recycled int
}

func frameText(seq int64) string {
	size := 48
	if seq%10 == 9 {
		size = 100
	}
	s := fmt.Sprintf("frame %d", seq)
	return s + strings.Repeat(".", size-len(s))
}

func (s *recyclingSource) Next(ctx context.Context) (*pb.Frame, error) {
	if s.next >= s.n {
		return nil, io.EOF
	}
	// Raw: the server reads a raw frame in its slot (a compressed one it
	// copies out), so a slot written again too soon shows.
	f := &pb.Frame{Seq: s.next, CaptureUnixNano: time.Now().UnixNano(), Encoding: pb.Encoding_ENCODING_RAW_BGR, Data: []byte(frameText(s.next))}
	s.next++
	return f, nil
}

func (s *recyclingSource) Recycle(f *pb.Frame) {
	s.mu.Lock()
	s.recycled++
	s.mu.Unlock()
	for i := range f.Data {
		f.Data[i] = 'X'
	}
}

// runShared streams 200 frames of a recyclingSource to h's server with a
// window of 4 and checks that every result carries its frame's bytes as
// the server read them after a while of work (a slot or buffer written
// again too soon would show).
func runShared(t *testing.T, c *Client) (*Summary, *recyclingSource) {
	t.Helper()
	src := &recyclingSource{n: 200}
	sum, err := c.Run(context.Background(), src, ClientConfig{
		Header: &pb.StreamHeader{Name: "shared", FrameCount: src.n, Window: 4, SharedMemorySlotBytes: sharedSlot},
		OnResult: func(r *pb.FrameResult, _ time.Duration) {
			if got, want := r.GetDetections()[0].GetLabel(), frameText(r.Seq); got != want {
				t.Errorf("result %d: the server read %q, want %q", r.Seq, got, want)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Processed != src.n || src.recycled != int(src.n) {
		t.Errorf("processed %d, recycled %d; want %d each", sum.Processed, src.recycled, src.n)
	}
	return sum, src
}

func TestFramesGoThroughSharedMemory(t *testing.T) {
	h := &echoHandler{work: 200 * time.Microsecond}
	sum, src := runShared(t, NewClient(pb.NewImageProcedureClient(loopback(t, newTestServer(h, serving.Config{MaxWindow: 4, SharedSlotBytes: 1 << 20})))))
	if want := src.n - src.n/10; sum.SharedFrames != want || sum.SharedMemoryErr != nil {
		t.Errorf("%d frames through shared memory (%v), want %d (all but the 10%% larger than a slot)", sum.SharedFrames, sum.SharedMemoryErr, want)
	}
	if sm := sum.Ready.GetSharedMemory(); sm.GetSlots() != 4 || sm.GetSlotBytes() != sharedSlot {
		t.Errorf("shared memory %v, want 4 slots (the window) of %d bytes", sm, sharedSlot)
	}
}

func TestServerWithoutSharedMemorySendsNone(t *testing.T) {
	sum, _ := runShared(t, dial(t, &echoHandler{}, serving.Config{MaxWindow: 4}))
	if sum.Ready.GetSharedMemory() != nil || sum.SharedFrames != 0 || sum.SharedMemoryErr != nil {
		t.Errorf("shared memory %v, %d frames through it (%v); want none offered, none used", sum.Ready.GetSharedMemory(), sum.SharedFrames, sum.SharedMemoryErr)
	}
}

// tamperedReady is a call whose ready names shared memory that is not
// the server's (another token), as a path that means something else on
// the client's machine would.
type tamperedReady struct {
	pb.ImageProcedure_StreamFramesServer
}

func (c tamperedReady) Send(m *pb.StreamResponse) error {
	if sm := m.GetReady().GetSharedMemory(); sm != nil {
		sm.Token = []byte("0123456789abcdef")
	}
	return c.ImageProcedure_StreamFramesServer.Send(m)
}

type tamperingService struct{ testService }

func (s *tamperingService) StreamFrames(call pb.ImageProcedure_StreamFramesServer) error {
	return serving.Serve(tamperedReady{call}, s.h, s.cfg)
}

func TestSharedMemoryThatIsNotTheServersIsNotUsed(t *testing.T) {
	srv := grpc.NewServer()
	pb.RegisterImageProcedureServer(srv, &tamperingService{testService{h: &echoHandler{}, cfg: serving.Config{SharedSlotBytes: 1 << 20}}})
	c := NewClient(pb.NewImageProcedureClient(loopback(t, srv)))
	sum, _ := runShared(t, c)
	if sum.SharedFrames != 0 || sum.SharedMemoryErr == nil || !strings.Contains(sum.String(), "token differs") {
		t.Errorf("%d frames through shared memory, summary %q; want none, saying the token differs", sum.SharedFrames, sum)
	}
}

// A frame that names a slot the call does not have is an invalid frame
// (not recorded), and the stream goes on.
func TestBadSharedSlotsAreInvalidFrames(t *testing.T) {
	for _, c := range []struct {
		name  string
		slot  int64
		frame *pb.SharedSlot
		want  string
	}{
		{"no shared memory", 0, &pb.SharedSlot{Index: 0, Length: 1}, "has none"},
		{"slot out of range", sharedSlot, &pb.SharedSlot{Index: 4, Length: 1}, "want 0 to 3"},
		{"longer than a slot", sharedSlot, &pb.SharedSlot{Index: 0, Length: sharedSlot + 1}, "want at most 64"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := &echoHandler{}
			conn := loopback(t, newTestServer(h, serving.Config{MaxWindow: 4, SharedSlotBytes: 1 << 20}))
			res := sendRaw(t, pb.NewImageProcedureClient(conn), c.slot,
				&pb.Frame{Seq: 0, Shared: c.frame}, &pb.Frame{Seq: 1, Data: []byte("fine")})
			if res[0].GetStatus() != pb.FrameStatus_FRAME_INVALID || !strings.Contains(res[0].GetError(), c.want) {
				t.Errorf("bad slot's result %v, want FRAME_INVALID saying %q", res[0], c.want)
			}
			if res[1].GetError() != "" || len(h.committed) != 1 || h.committed[0] != 1 {
				t.Errorf("next frame's result %v, committed %v; want it processed and only it recorded", res[1], h.committed)
			}
		})
	}
}

// A caller from elsewhere than this machine (here an in-memory
// connection, whose address is neither loopback nor a Unix socket) is
// offered no shared memory: it could have the server read whole frames
// of it for a few bytes a message.
func TestRemoteCallerGetsNoSharedMemory(t *testing.T) {
	sum, _ := runShared(t, dial(t, &echoHandler{}, serving.Config{MaxWindow: 4, SharedSlotBytes: 1 << 20}))
	if sum.Ready.GetSharedMemory() != nil || sum.SharedFrames != 0 {
		t.Errorf("shared memory %v offered, %d frames through it; want none", sum.Ready.GetSharedMemory(), sum.SharedFrames)
	}
}

// loopback serves srv on a loopback TCP port and returns a connection to
// it; both end with the test.
func loopback(t *testing.T, srv *grpc.Server) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func newTestServer(h serving.Handler, cfg serving.Config) *grpc.Server {
	srv := grpc.NewServer()
	pb.RegisterImageProcedureServer(srv, &testService{h: h, cfg: cfg})
	return srv
}

// sendRaw sends a header asking for slots of slot bytes, then frames,
// and returns their results.
func sendRaw(t *testing.T, rpc pb.ImageProcedureClient, slot int64, frames ...*pb.Frame) []*pb.FrameResult {
	t.Helper()
	call, err := rpc.StreamFrames(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	reqs := []*pb.StreamRequest{{Msg: &pb.StreamRequest_Header{Header: &pb.StreamHeader{Name: "raw", SharedMemorySlotBytes: slot}}}}
	for _, f := range frames {
		reqs = append(reqs, &pb.StreamRequest{Msg: &pb.StreamRequest_Frame{Frame: f}})
	}
	for _, r := range reqs {
		if err := call.Send(r); err != nil {
			t.Fatal(err)
		}
	}
	call.CloseSend()
	var res []*pb.FrameResult
	for {
		m, err := call.Recv()
		if err != nil {
			break
		}
		if r := m.GetResult(); r != nil {
			res = append(res, r)
		}
	}
	if len(res) != len(frames) {
		t.Fatalf("%d results, want %d", len(res), len(frames))
	}
	return res
}

// A live source's frames that a newer one replaced unsent go back to it,
// as its answered ones do: every frame read is recycled once, and no
// result shows bytes given back too soon.
func TestDroppedLiveFramesAreRecycled(t *testing.T) {
	h := &echoHandler{gate: make(chan struct{})}
	c := dial(t, h, serving.Config{MaxWindow: 2})
	stopCtx, stop := context.WithCancel(context.Background())
	go func() {
		for range 20 {
			h.gate <- struct{}{}
		}
		stop()
		close(h.gate)
	}()
	src := &recyclingSource{n: 1 << 62}
	sum, err := c.Run(context.Background(), Until(stopCtx, src), ClientConfig{
		Header: &pb.StreamHeader{Name: "cam", Live: true, Window: 2},
		OnResult: func(r *pb.FrameResult, _ time.Duration) {
			if got, want := r.GetDetections()[0].GetLabel(), frameText(r.Seq); got != want {
				t.Errorf("result %d: the server read %q, want %q", r.Seq, got, want)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	src.mu.Lock()
	recycled := int64(src.recycled)
	src.mu.Unlock()
	if sum.Dropped == 0 || recycled != sum.Read {
		t.Errorf("read %d (dropped %d, processed %d), recycled %d; want drops, and every frame read recycled", sum.Read, sum.Dropped, sum.Processed, recycled)
	}
}

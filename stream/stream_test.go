package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/serving"
)

// testService serves StreamFrames with Serve and a handler of the test's.
type testService struct {
	pb.UnimplementedImageProcedureServer
	h   serving.Handler
	cfg serving.Config
}

func (s *testService) StreamFrames(call pb.ImageProcedure_StreamFramesServer) error {
	return serving.Serve(call, s.h, s.cfg)
}

// dial starts a server over bufconn and returns a Client for it.
func dial(t *testing.T, h serving.Handler, cfg serving.Config) *Client {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	pb.RegisterImageProcedureServer(srv, &testService{h: h, cfg: cfg})
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return NewClient(pb.NewImageProcedureClient(conn))
}

// countSource yields n frames with seq 0..n-1, then io.EOF.
type countSource struct {
	n, next int64
}

func (s *countSource) Next(ctx context.Context) (*pb.Frame, error) {
	if s.next >= s.n {
		return nil, io.EOF
	}
	f := &pb.Frame{Seq: s.next, CaptureUnixNano: time.Now().UnixNano(), Data: []byte(fmt.Sprint(s.next))}
	s.next++
	return f, nil
}

// echoHandler processes a frame by echoing its data as the label of one
// detection; gate, when set, holds every Process until it can receive.
type echoHandler struct {
	gate      chan struct{}
	work      time.Duration // how long each frame takes
	workers   chan struct{} // when set, frames take turns (a worker pool)
	inFlight  atomic.Int64
	maxFlight atomic.Int64
	mu        sync.Mutex
	committed []int64
	closed    bool
	openErr   error
}

func (h *echoHandler) Open(ctx context.Context, hdr *pb.StreamHeader) (serving.Session, error) {
	if h.openErr != nil {
		return nil, h.openErr
	}
	return h, nil
}
func (h *echoHandler) Ready() *pb.StreamReady   { return &pb.StreamReady{Model: "echo"} }
func (h *echoHandler) Evicted() <-chan struct{} { return nil }

func (h *echoHandler) Process(ctx context.Context, f *pb.Frame) *pb.FrameResult {
	n := h.inFlight.Add(1)
	for {
		m := h.maxFlight.Load()
		if n <= m || h.maxFlight.CompareAndSwap(m, n) {
			break
		}
	}
	defer h.inFlight.Add(-1)
	if h.gate != nil {
		<-h.gate
	}
	if h.workers != nil {
		h.workers <- struct{}{}
		defer func() { <-h.workers }()
	}
	time.Sleep(h.work) // the frame's work, not a synchronisation
	if string(f.Data) == "bad" {
		return &pb.FrameResult{Seq: f.Seq, CaptureUnixNano: f.CaptureUnixNano, Error: "bad frame"}
	}
	return &pb.FrameResult{Seq: f.Seq, CaptureUnixNano: f.CaptureUnixNano,
		Detections: []*pb.Detection{{Label: string(f.Data)}}}
}
func (h *echoHandler) Commit(r *pb.FrameResult) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.committed = append(h.committed, r.Seq)
	return nil
}
func (h *echoHandler) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	return nil
}

func TestFiniteStreamInOrderNothingLost(t *testing.T) {
	h := &echoHandler{}
	c := dial(t, h, serving.Config{MaxWindow: 4})
	const n = 500
	var got []int64
	sum, err := c.Run(context.Background(), &countSource{n: n}, ClientConfig{
		Header: &pb.StreamHeader{Name: "file", FrameCount: n, Window: 16},
		OnResult: func(r *pb.FrameResult, _ time.Duration) {
			if r.Detections[0].Label != fmt.Sprint(r.Seq) {
				t.Errorf("result %d carries %q", r.Seq, r.Detections[0].Label)
			}
			got = append(got, r.Seq)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("got %d results, want %d", len(got), n)
	}
	for i, s := range got {
		if s != int64(i) {
			t.Fatalf("result %d has seq %d", i, s)
		}
	}
	if sum.Read != n || sum.Sent != n || sum.Processed != n || sum.Dropped != 0 || sum.Failed != 0 {
		t.Errorf("summary %+v", sum)
	}
	if sum.Ready.Window != 4 {
		t.Errorf("granted window %d, want the server's limit 4", sum.Ready.Window)
	}
	if sum.Server == nil || sum.Server.Received != n || sum.Server.Processed != n {
		t.Errorf("server summary %v", sum.Server)
	}
	if m := h.maxFlight.Load(); m > 4 {
		t.Errorf("%d frames in flight at once, window is 4", m)
	}
	if len(h.committed) != n || !h.closed {
		t.Errorf("committed %d, closed %v", len(h.committed), h.closed)
	}
}

// liveSource yields frames as fast as it is asked, forever, until ctx ends.
type liveSource struct{ next int64 }

func (s *liveSource) Next(ctx context.Context) (*pb.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f := &pb.Frame{Seq: s.next, CaptureUnixNano: time.Now().UnixNano(), Data: []byte("x")}
	s.next++
	return f, nil
}

func TestLiveStreamDropsNewestWins(t *testing.T) {
	h := &echoHandler{gate: make(chan struct{})}
	c := dial(t, h, serving.Config{MaxWindow: 2})
	stopCtx, stop := context.WithCancel(context.Background())
	var results []int64
	// Let 20 frames through the server one at a time, then stop reading
	// and let everything left through.
	go func() {
		for range 20 {
			h.gate <- struct{}{}
		}
		stop()
		close(h.gate)
	}()
	sum, err := c.Run(context.Background(), Until(stopCtx, &liveSource{}), ClientConfig{
		Header:   &pb.StreamHeader{Name: "cam", Live: true, Window: 2},
		OnResult: func(r *pb.FrameResult, _ time.Duration) { results = append(results, r.Seq) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Dropped == 0 {
		t.Errorf("a fast live source with a slow server dropped nothing: %+v", sum)
	}
	if sum.Read != sum.Sent+sum.Dropped {
		t.Errorf("read %d != sent %d + dropped %d", sum.Read, sum.Sent, sum.Dropped)
	}
	if int64(len(results)) != sum.Sent || sum.Processed != sum.Sent {
		t.Errorf("sent %d, %d results, processed %d", sum.Sent, len(results), sum.Processed)
	}
	for i := 1; i < len(results); i++ {
		if results[i] <= results[i-1] {
			t.Fatalf("results out of order: %v", results)
		}
	}
	if m := h.maxFlight.Load(); m > 2 {
		t.Errorf("%d frames in flight, window 2", m)
	}
}

// listSource yields the given frames in order.
type listSource struct{ frames []*pb.Frame }

func (s *listSource) Next(ctx context.Context) (*pb.Frame, error) {
	if len(s.frames) == 0 {
		return nil, io.EOF
	}
	f := s.frames[0]
	s.frames = s.frames[1:]
	return f, nil
}

func TestBadFramesAreResultsNotFailures(t *testing.T) {
	h := &echoHandler{}
	c := dial(t, h, serving.Config{})
	src := &listSource{frames: []*pb.Frame{
		{Seq: 0, Data: []byte("a")},
		{Seq: 1, Data: []byte("bad")},
		{Seq: 1, Data: []byte("dup")},
		{Seq: 0, Data: []byte("old")},
		{Seq: 5, Data: []byte("b")},
	}}
	var errs []string
	sum, err := c.Run(context.Background(), src, ClientConfig{
		Header:   &pb.StreamHeader{Name: "x"},
		OnResult: func(r *pb.FrameResult, _ time.Duration) { errs = append(errs, r.Error) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Processed != 2 || sum.Failed != 3 {
		t.Errorf("processed %d failed %d, want 2 and 3", sum.Processed, sum.Failed)
	}
	if errs[0] != "" || errs[1] != "bad frame" || errs[2] == "" || errs[3] == "" || errs[4] != "" {
		t.Errorf("per-frame errors %q", errs)
	}
	// Rejected duplicates are not recorded; processed and failed frames are.
	if fmt.Sprint(h.committed) != "[0 1 5]" {
		t.Errorf("committed %v, want [0 1 5]", h.committed)
	}
}

func TestStreamRefusals(t *testing.T) {
	h := &echoHandler{openErr: errors.New("stream name \"..\" escapes the output folder")}
	c := dial(t, h, serving.Config{})
	_, err := c.Run(context.Background(), &countSource{n: 1}, ClientConfig{Header: &pb.StreamHeader{Name: ".."}})
	if status.Code(errors.Unwrap(err)) != codes.InvalidArgument {
		t.Errorf("open error: got %v, want InvalidArgument", err)
	}

	// A call whose first message is a frame is refused.
	c = dial(t, &echoHandler{}, serving.Config{})
	call, err := c.rpc.StreamFrames(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Send(&pb.StreamRequest{Msg: &pb.StreamRequest_Frame{Frame: &pb.Frame{}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := call.Recv(); status.Code(err) != codes.InvalidArgument {
		t.Errorf("frame before header: got %v, want InvalidArgument", err)
	}
}

// diskHandler is a Handler whose committed seqs outlive its servers, like
// an output folder: Ready reports them as done.
type diskHandler struct {
	mu        sync.Mutex
	committed map[int64]int // seq -> times committed
}

type diskSession struct{ h *diskHandler }

func (h *diskHandler) Open(ctx context.Context, hdr *pb.StreamHeader) (serving.Session, error) {
	return diskSession{h}, nil
}

func (s diskSession) Ready() *pb.StreamReady {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	var done []*pb.SeqRange
	for seq := int64(0); seq < 1<<20; seq++ {
		if s.h.committed[seq] == 0 {
			if len(s.h.committed) == 0 || seq > int64(len(s.h.committed))+1000 {
				break
			}
			continue
		}
		if n := len(done); n > 0 && done[n-1].End == seq {
			done[n-1].End++
		} else {
			done = append(done, &pb.SeqRange{Start: seq, End: seq + 1})
		}
	}
	return &pb.StreamReady{Done: done}
}

func (s diskSession) Process(ctx context.Context, f *pb.Frame) *pb.FrameResult {
	return &pb.FrameResult{Seq: f.Seq, CaptureUnixNano: f.CaptureUnixNano}
}

func (s diskSession) Commit(r *pb.FrameResult) error {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.h.committed[r.Seq]++
	return nil
}

func (s diskSession) Close() error             { return nil }
func (s diskSession) Evicted() <-chan struct{} { return nil }

// restartable serves h over bufconn and can replace its server, as a
// restarted process on the same address would be.
type restartable struct {
	t   *testing.T
	h   serving.Handler
	mu  sync.Mutex
	lis *bufconn.Listener
	srv *grpc.Server
}

// stop stops the current server.
func (r *restartable) stop() {
	r.mu.Lock()
	srv := r.srv
	r.mu.Unlock()
	srv.Stop()
}

func (r *restartable) start() {
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(grpc.WaitForHandlers(true))
	pb.RegisterImageProcedureServer(srv, &testService{h: r.h})
	go srv.Serve(lis)
	r.mu.Lock()
	r.lis, r.srv = lis, srv
	r.mu.Unlock()
}

// kill stops the server, cutting every call, and starts a new one.
func (r *restartable) kill() {
	r.stop()
	r.start()
}

func (r *restartable) client() *Client {
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			r.mu.Lock()
			lis := r.lis
			r.mu.Unlock()
			return lis.DialContext(ctx)
		}),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { conn.Close() })
	return NewClient(pb.NewImageProcedureClient(conn))
}

func TestFiniteStreamResumesAfterRestarts(t *testing.T) {
	h := &diskHandler{committed: map[int64]int{}}
	r := &restartable{t: t, h: h}
	r.start()
	t.Cleanup(r.stop)
	const n = 600
	var results int
	var reconnects []string
	var killers sync.WaitGroup
	kills := make(chan struct{}, 2)
	// The source gives no frame past 200 (400) before the first (second)
	// kill is done, so that the stream cannot end before it.
	killed := map[int64]chan struct{}{200: make(chan struct{}), 450: make(chan struct{})}
	src := &gatedSource{src: &countSource{n: n}, gates: killed}
	sum, err := r.client().Run(context.Background(), src, ClientConfig{
		Header: &pb.StreamHeader{Name: "file", Window: 8},
		// Between stopping the old server and starting the new one (after
		// its frames are committed) every dial fails: enough tries for a
		// slow machine's restart.
		MaxRetries: 200,
		MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond,
		OnReconnect: func(failures int, wait time.Duration, err error) {
			reconnects = append(reconnects, fmt.Sprint(status.Code(errors.Unwrap(err))))
		},
		OnResult: func(res *pb.FrameResult, _ time.Duration) {
			results++
			if results == 150 || results == 400 {
				// From the receiving goroutine, so the kill lands mid-stream.
				kills <- struct{}{}
				gate := killed[int64(results+50)]
				killers.Add(1)
				go func() {
					defer killers.Done()
					r.kill()
					close(gate)
				}()
			}
		},
	})
	killers.Wait()
	if err != nil {
		t.Fatalf("run: %v (summary %+v)", err, sum)
	}
	if len(kills) != 2 || sum.Reconnects < 2 {
		t.Fatalf("%d kills, %d reconnects (%v)", len(kills), sum.Reconnects, reconnects)
	}
	for seq := range int64(n) {
		if c := h.committed[seq]; c != 1 {
			t.Errorf("seq %d committed %d times", seq, c)
		}
	}
	if len(h.committed) != n {
		t.Errorf("%d seqs committed, want %d", len(h.committed), n)
	}
	t.Logf("summary: %s", sum)
}

// gatedSource is src whose frame seq waits until gates[seq], if any, is
// closed.
type gatedSource struct {
	src   FrameSource
	gates map[int64]chan struct{}
	next  int64
}

func (g *gatedSource) Next(ctx context.Context) (*pb.Frame, error) {
	if gate := g.gates[g.next]; gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	g.next++
	return g.src.Next(ctx)
}

func TestSkipsWhatTheServerHas(t *testing.T) {
	h := &diskHandler{committed: map[int64]int{}}
	for seq := range int64(100) {
		h.committed[seq] = 1
	}
	h.committed[150] = 1
	c := dial(t, h, serving.Config{})
	src := &skipSource{countSource: countSource{n: 200}}
	sum, err := c.Run(context.Background(), src, ClientConfig{Header: &pb.StreamHeader{Name: "again"}})
	if err != nil {
		t.Fatal(err)
	}
	if src.skippedTo != 100 {
		t.Errorf("source skipped to %d, want 100", src.skippedTo)
	}
	if sum.Sent != 99 || sum.Skipped != 101 {
		t.Errorf("sent %d skipped %d, want 99 and 101", sum.Sent, sum.Skipped)
	}
	for seq := range int64(200) {
		if h.committed[seq] != 1 {
			t.Fatalf("seq %d committed %d times", seq, h.committed[seq])
		}
	}
}

// skipSource is a countSource that can skip.
type skipSource struct {
	countSource
	skippedTo int64
}

func (s *skipSource) SkipTo(seq int64) error {
	s.skippedTo = seq
	s.next = seq
	return nil
}

func TestDrainEndsWithUnavailableAfterQueuedFrames(t *testing.T) {
	h := &echoHandler{gate: make(chan struct{})}
	drain := make(chan struct{})
	c := dial(t, h, serving.Config{MaxWindow: 4, Drain: drain})
	var got int
	go func() {
		// Let 10 frames through, then drain with frames in flight, then
		// let those finish.
		for range 10 {
			h.gate <- struct{}{}
		}
		close(drain)
		close(h.gate)
	}()
	sum, err := c.Run(context.Background(), &countSource{n: 1000}, ClientConfig{
		Header:   &pb.StreamHeader{Name: "d"},
		OnResult: func(*pb.FrameResult, time.Duration) { got++ },
	})
	if status.Code(errors.Unwrap(err)) != codes.Unavailable {
		t.Fatalf("got %v, want Unavailable", err)
	}
	h.mu.Lock()
	committed := len(h.committed)
	h.mu.Unlock()
	if got == 0 || int64(got) != sum.Processed || committed != got {
		t.Errorf("%d results, processed %d, committed %d: every committed frame must have been answered", got, sum.Processed, committed)
	}
}

func TestIdleStreamTimesOut(t *testing.T) {
	c := dial(t, &echoHandler{}, serving.Config{IdleTimeout: 100 * time.Millisecond})
	block := make(chan struct{})
	defer close(block)
	_, err := c.Run(context.Background(), blockingSource{block}, ClientConfig{Header: &pb.StreamHeader{Name: "idle"}})
	if status.Code(errors.Unwrap(err)) != codes.DeadlineExceeded {
		t.Fatalf("got %v, want DeadlineExceeded", err)
	}
}

// blockingSource never yields a frame until its channel closes.
type blockingSource struct{ c chan struct{} }

func (b blockingSource) Next(ctx context.Context) (*pb.Frame, error) {
	select {
	case <-b.c:
	case <-ctx.Done():
	}
	return nil, io.EOF
}

func TestLiveStreamReconnectsAndCountsTheGap(t *testing.T) {
	h := &diskHandler{committed: map[int64]int{}}
	r := &restartable{t: t, h: h}
	r.start()
	t.Cleanup(r.stop)
	stopCtx, stop := context.WithCancel(context.Background())
	var results int
	var killer sync.WaitGroup
	sum, err := r.client().Run(context.Background(), Until(stopCtx, &liveSource{}), ClientConfig{
		Header:     &pb.StreamHeader{Name: "cam", Live: true, Window: 2},
		MaxRetries: 200, // as in TestFiniteStreamResumesAfterRestarts
		MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond,
		OnResult: func(res *pb.FrameResult, _ time.Duration) {
			results++
			switch results {
			case 50:
				killer.Add(1)
				go func() {
					defer killer.Done()
					r.kill()
				}()
			case 150:
				stop()
			}
		},
	})
	killer.Wait()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if sum.Reconnects != 1 || sum.Resent != 0 {
		t.Errorf("reconnects %d resent %d, want 1 and 0 (a live stream does not resend)", sum.Reconnects, sum.Resent)
	}
	if sum.Read != sum.Sent+sum.Dropped {
		t.Errorf("read %d != sent %d + dropped %d", sum.Read, sum.Sent, sum.Dropped)
	}
	if sum.Sent != int64(results)+sum.Gap {
		t.Errorf("sent %d != results %d + gap %d", sum.Sent, results, sum.Gap)
	}
	t.Logf("summary: %s", sum)
}

// On drain two busy streams stop taking frames at once: only the frames
// already taken are finished and recorded, and each call ends with
// Unavailable (not a broken transport), so that its client resumes.
func TestDrainStopsTakingFramesAtOnce(t *testing.T) {
	h := &echoHandler{work: 2 * time.Millisecond, workers: make(chan struct{}, 1)}
	drain := make(chan struct{})
	const window = 4
	c := dial(t, h, serving.Config{MaxWindow: window, Drain: drain})
	var results atomic.Int64
	var once sync.Once
	type outcome struct {
		sum *Summary
		err error
	}
	done := make(chan outcome, 2)
	for i := range 2 {
		go func() {
			sum, err := c.Run(context.Background(), &countSource{n: 1000}, ClientConfig{
				Header: &pb.StreamHeader{Name: fmt.Sprint("busy", i)},
				OnResult: func(*pb.FrameResult, time.Duration) {
					if results.Add(1) == 40 {
						once.Do(func() { close(drain) })
					}
				},
			})
			done <- outcome{sum, err}
		}()
	}
	var answered int64
	for range 2 {
		o := <-done
		if status.Code(errors.Unwrap(o.err)) != codes.Unavailable {
			t.Errorf("a draining stream ended with %v, want Unavailable", o.err)
		}
		answered += o.sum.Processed
	}
	h.mu.Lock()
	committed := int64(len(h.committed))
	h.mu.Unlock()
	// 40 results came before the drain; each stream had at most its
	// window of frames taken then (and one more being answered).
	if limit := int64(40 + 2*(window+1)); committed > limit || committed != answered {
		t.Errorf("%d frames recorded and %d answered after draining 2 streams; want them equal and at most %d", committed, answered, limit)
	}
}

// panicky panics on frames whose data is "panic".
type panicky struct{ echoHandler }

func (h *panicky) Open(ctx context.Context, hdr *pb.StreamHeader) (serving.Session, error) {
	return h, nil
}
func (h *panicky) Process(ctx context.Context, f *pb.Frame) *pb.FrameResult {
	if string(f.Data) == "panic" {
		panic("a bug")
	}
	return h.echoHandler.Process(ctx, f)
}

// A panic while processing a frame fails that frame (not recorded) and
// the stream goes on.
func TestPanicInProcessFailsOnlyThatFrame(t *testing.T) {
	c := dial(t, &panicky{}, serving.Config{})
	src := listSource{frames: []*pb.Frame{{Seq: 0, Data: []byte("a")}, {Seq: 1, Data: []byte("panic")}, {Seq: 2, Data: []byte("b")}}}
	var got []*pb.FrameResult
	sum, err := c.Run(context.Background(), &src, ClientConfig{
		Header:   &pb.StreamHeader{Name: "p"},
		OnResult: func(r *pb.FrameResult, _ time.Duration) { got = append(got, r) },
	})
	if err != nil || sum.Processed != 2 || sum.NotRecorded != 1 {
		t.Fatalf("%v: processed %d, not recorded %d; want 2 and 1", err, sum.Processed, sum.NotRecorded)
	}
	if r := got[1]; r.GetStatus() != pb.FrameStatus_FRAME_NOT_RECORDED || !strings.Contains(r.GetError(), "a bug") {
		t.Errorf("frame 1: %v %q, want FRAME_NOT_RECORDED naming the panic", r.GetStatus(), r.GetError())
	}
}

// readySource records whether OnReady had been told before each read.
type readySource struct {
	countSource
	toldBeforeRead []bool
	told           *atomic.Bool
}

func (s *readySource) Next(ctx context.Context) (*pb.Frame, error) {
	s.toldBeforeRead = append(s.toldBeforeRead, s.told.Load())
	return s.countSource.Next(ctx)
}

// OnReady hears the server's answer before the source gives its first
// frame, so a client can fit its frames to what the server says.
func TestOnReadyComesBeforeTheFirstRead(t *testing.T) {
	c := dial(t, &echoHandler{}, serving.Config{})
	var told atomic.Bool
	var model string
	src := &readySource{countSource: countSource{n: 5}, told: &told}
	_, err := c.Run(context.Background(), src, ClientConfig{
		Header:  &pb.StreamHeader{Name: "ready", FrameCount: 5},
		OnReady: func(r *pb.StreamReady) { model = r.GetModel(); told.Store(true) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if model != "echo" || len(src.toldBeforeRead) == 0 || !src.toldBeforeRead[0] {
		t.Errorf("OnReady heard model %q; told before the reads: %v; want echo, told before the first", model, src.toldBeforeRead)
	}
}

package stream

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/serving"
	"github.com/framewire/framewire/stream/sourcenews"
	"github.com/framewire/framewire/stream/streamtest"
)

// newsHandler is an echoHandler that keeps the source statuses it is told.
type newsHandler struct {
	echoHandler
	newsMu sync.Mutex
	news   []*pb.SourceStatus
}

func (h *newsHandler) Open(ctx context.Context, hdr *pb.StreamHeader) (serving.Session, error) {
	return h, nil
}

func (h *newsHandler) SourceStatus(st *pb.SourceStatus) {
	h.newsMu.Lock()
	defer h.newsMu.Unlock()
	h.news = append(h.news, st)
}

// lastNews is the latest status told, nil before the first.
func (h *newsHandler) lastNews() *pb.SourceStatus {
	h.newsMu.Lock()
	defer h.newsMu.Unlock()
	if len(h.news) == 0 {
		return nil
	}
	return h.news[len(h.news)-1]
}

// waitFor polls until cond holds, failing the test after 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSourceNewsReachesServerAndSummary(t *testing.T) {
	h := &newsHandler{}
	// The outage lasts longer than the idle timeout: the news keeps the
	// call open.
	c := dial(t, h, serving.Config{MaxWindow: 2, IdleTimeout: 300 * time.Millisecond})
	frames := make(streamtest.Chan)
	news := sourcenews.New()
	type outcome struct {
		sum *Summary
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		sum, err := c.Run(context.Background(), frames, ClientConfig{
			Header: &pb.StreamHeader{Name: "cam", Live: true, Window: 2}, SourceNews: news,
		})
		done <- outcome{sum, err}
	}()
	frames <- &pb.Frame{Seq: 0, Data: []byte("a")}
	start := time.Now()
	for attempt := 1; time.Since(start) < 700*time.Millisecond; attempt++ {
		news.Reconnecting(attempt, "read frame: no frame")
		waitFor(t, "the server to hear of the outage", func() bool { return h.lastNews().GetAttempt() == int32(attempt) })
		time.Sleep(100 * time.Millisecond) // the next reopening attempt's backoff
	}
	if got := h.lastNews(); got.GetState() != pb.SourceState_SOURCE_RECONNECTING || got.GetReason() != "read frame: no frame" {
		t.Errorf("server told %v during the outage, want reconnecting with its reason", got)
	}
	news.Back(3 * time.Second)
	waitFor(t, "the server to hear the source is back", func() bool { return h.lastNews().GetState() == pb.SourceState_SOURCE_LIVE })
	frames <- &pb.Frame{Seq: 1, Data: []byte("b")}
	close(frames)
	out := <-done
	if out.err != nil {
		t.Fatalf("Run: %v (the news should keep an idle call open)", out.err)
	}
	var reconnects, outageUs int64
	for _, st := range h.news {
		reconnects += st.GetReconnects()
		outageUs += st.GetOutageUs()
	}
	if reconnects != 1 || outageUs != 3e6 {
		t.Errorf("server counted %d reconnects and %d us of outage, want 1 and 3e6", reconnects, outageUs)
	}
	if out.sum.SourceReconnects != 1 || out.sum.SourceOutage != 3*time.Second || out.sum.Processed != 2 {
		t.Errorf("summary: %d source reconnects, outage %v, %d processed; want 1, 3s, 2", out.sum.SourceReconnects, out.sum.SourceOutage, out.sum.Processed)
	}
	if s := out.sum.String(); !strings.Contains(s, "source reconnects 1, 3s without frames") {
		t.Errorf("summary text %q does not tell the source reconnect", s)
	}
}

// oldServer serves StreamFrames as a server from before SourceStatus:
// its ready does not offer it, and the test fails if one comes anyway.
type oldServer struct {
	pb.UnimplementedImageProcedureServer
	t *testing.T
	h serving.Handler
}

func (s *oldServer) StreamFrames(call pb.ImageProcedure_StreamFramesServer) error {
	return serving.Serve(oldCall{call, s.t}, s.h, serving.Config{})
}

// oldCall hides the offer of source statuses and refuses them.
type oldCall struct {
	pb.ImageProcedure_StreamFramesServer
	t *testing.T
}

func (c oldCall) Send(m *pb.StreamResponse) error {
	if r := m.GetReady(); r != nil {
		r.SourceStatus = false
	}
	return c.ImageProcedure_StreamFramesServer.Send(m)
}

func (c oldCall) Recv() (*pb.StreamRequest, error) {
	m, err := c.ImageProcedure_StreamFramesServer.Recv()
	if m.GetSourceStatus() != nil {
		c.t.Errorf("the client sent %v to a server that does not take source statuses", m.GetSourceStatus())
	}
	return m, err
}

func TestSourceNewsNotSentToOldServer(t *testing.T) {
	srv := grpc.NewServer()
	pb.RegisterImageProcedureServer(srv, &oldServer{t: t, h: &newsHandler{}})
	c := NewClient(pb.NewImageProcedureClient(streamtest.Dial(t, srv)))
	frames := make(streamtest.Chan)
	news := sourcenews.New()
	done := make(chan *Summary, 1)
	go func() {
		sum, err := c.Run(context.Background(), frames, ClientConfig{
			Header: &pb.StreamHeader{Name: "cam", Live: true}, SourceNews: news,
		})
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		done <- sum
	}()
	frames <- &pb.Frame{Seq: 0, Data: []byte("a")}
	news.Reconnecting(1, "lost")
	news.Back(time.Second)
	frames <- &pb.Frame{Seq: 1, Data: []byte("b")}
	close(frames)
	// A live run may drop frame 0 for frame 1.
	if sum := <-done; sum.SourceReconnects != 1 || sum.Processed+sum.Dropped != 2 {
		t.Errorf("summary: %d source reconnects, %d processed, %d dropped; want 1 and 2 frames", sum.SourceReconnects, sum.Processed, sum.Dropped)
	}
}

package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/stats"
	"google.golang.org/protobuf/proto"

	pb "github.com/framewire/framewire/proto"
)

// frameObserver is told what happens to the streams of a Pipeline; the
// metrics, the live view and the stream log implement it. Calls for
// different streams are concurrent. For one stream, streamOpened comes
// first and streamClosed last; frameReceived is called from the frame's
// own goroutine (so concurrently for the frames in flight), frameDone in
// frame order from the stream's sender. Implementations must return
// quickly: they run on the frame path.
type frameObserver interface {
	streamOpened(st *streamState)
	frameReceived(st *streamState, f *pb.Frame)
	frameDone(st *streamState, d doneFrame)
	streamClosed(st *streamState)
}

// doneFrame is one recorded result and what the server measured about it.
type doneFrame struct {
	result *pb.FrameResult
	// jpeg is the annotated image when one was made while the stream had
	// a live viewer; nil otherwise.
	jpeg []byte
	// e2e is the time from the frame's arrival to its recorded result.
	e2e time.Duration
}

// streamState describes one open stream to the observers. The fields set
// when the stream opens never change; the counters are written by the
// stream's session and may be read from any goroutine.
type streamState struct {
	id         int64 // unique per Monitor, so a reopened name is a new stream
	name       string
	source     string
	model      string
	peer       string
	live       bool
	frameCount int64
	opened     time.Time

	received, processed, failed, dropped atomic.Int64
}

// Monitor watches the streams of the Pipeline it is given to (through
// Config.Monitor): it keeps Prometheus metrics in a registry of its own,
// feeds the live view and logs one line when a stream starts and one when
// it ends. Handler serves the metrics and the live view; StatsHandler counts
// the gRPC bytes. Safe for concurrent use; a nil *Monitor watches nothing.
type Monitor struct {
	metrics   *metrics
	live      *liveView
	observers []frameObserver
	lastID    atomic.Int64
}

// NewMonitor returns a Monitor that logs stream starts and ends to log.
func NewMonitor(log *slog.Logger) *Monitor {
	m := &Monitor{metrics: newMetrics(), live: newLiveView()}
	m.observers = []frameObserver{m.metrics, m.live, streamLog{log: log}}
	return m
}

// Handler serves the live view page at "/", the active streams as JSON at
// "/api/streams", each stream's annotated frames as MJPEG at
// "/live/{name}" and the Prometheus metrics at "/metrics". MJPEG responses
// last as long as the stream or the request's context.
func (m *Monitor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /{$}", m.live.servePage)
	mux.HandleFunc("GET /api/streams", m.live.serveStreams)
	mux.HandleFunc("GET /live/{name}", m.live.serveMJPEG)
	return mux
}

// Interceptors count every gRPC call by service, method and status code
// (grpc_server_started_total, grpc_server_handled_total, message counts,
// grpc_server_handling_seconds), in the form of go-grpc-middleware's
// Prometheus provider that dashboards expect.
func (m *Monitor) Interceptors() (grpc.UnaryServerInterceptor, grpc.StreamServerInterceptor) {
	return m.metrics.grpc.UnaryServerInterceptor(), m.metrics.grpc.StreamServerInterceptor()
}

// InitGRPCMetrics shows every method of srv in the gRPC metrics at 0 from
// the start.
func (m *Monitor) InitGRPCMetrics(srv *grpc.Server) {
	m.metrics.grpc.InitializeMetrics(srv)
}

// StatsHandler counts the bytes every gRPC call receives and sends, as
// they are on the wire; give it to grpc.StatsHandler.
func (m *Monitor) StatsHandler() stats.Handler {
	return wireStats{m: m.metrics}
}

// watch starts watching a stream that ctx's call opened with hdr, or
// returns nil when m is nil.
func (m *Monitor) watch(ctx context.Context, hdr *pb.StreamHeader, model string) *streamWatch {
	if m == nil {
		return nil
	}
	st := &streamState{
		id: m.lastID.Add(1), name: hdr.GetName(), source: hdr.GetSource(), model: model,
		live: hdr.GetLive(), frameCount: hdr.GetFrameCount(), opened: time.Now(),
	}
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		st.peer = p.Addr.String()
	}
	for _, o := range m.observers {
		o.streamOpened(st)
	}
	return &streamWatch{mon: m, st: st, inFlight: map[int64]*inFlightFrame{}}
}

// streamWatch connects one stream's session to its Monitor. It keeps the
// arrival time (and, while someone watches the stream live, the annotated
// JPEG) of every frame in flight until its result is recorded. received,
// wantJPEG and annotated are called from the frames' goroutines; committed
// and close from the stream's sender. All methods do nothing on a nil
// *streamWatch (a unary DetectFrame is not watched).
type streamWatch struct {
	mon *Monitor
	st  *streamState

	mu       sync.Mutex
	inFlight map[int64]*inFlightFrame // by seq
}

type inFlightFrame struct {
	arrived time.Time
	jpeg    []byte
}

// received notes the arrival of f.
func (w *streamWatch) received(f *pb.Frame) {
	if w == nil {
		return
	}
	w.mu.Lock()
	w.inFlight[f.GetSeq()] = &inFlightFrame{arrived: time.Now()}
	w.mu.Unlock()
	w.st.received.Add(1)
	w.st.dropped.Add(f.GetDroppedBefore())
	for _, o := range w.mon.observers {
		o.frameReceived(w.st, f)
	}
}

// wantJPEG says whether someone watches the stream live, so that every
// frame's annotated JPEG is needed even if it is not written.
func (w *streamWatch) wantJPEG() bool {
	return w != nil && w.mon.live.watched(w.st)
}

// annotated hands over frame seq's annotated JPEG for the live view,
// which keeps it only while someone watches.
func (w *streamWatch) annotated(seq int64, jpg []byte) {
	if !w.wantJPEG() {
		return
	}
	w.mu.Lock()
	if f := w.inFlight[seq]; f != nil {
		f.jpeg = jpg
	}
	w.mu.Unlock()
}

// committed notes that r was recorded, or failed to be with err.
func (w *streamWatch) committed(r *pb.FrameResult, err error) {
	if w == nil {
		return
	}
	w.mu.Lock()
	f := w.inFlight[r.GetSeq()]
	delete(w.inFlight, r.GetSeq())
	w.mu.Unlock()
	if f == nil {
		return // not seen by received: nothing to report twice
	}
	if err != nil && r.GetError() == "" {
		// As the stream layer will report it to the client.
		r = proto.CloneOf(r)
		r.Error = fmt.Sprintf("record result: %v", err)
	}
	if r.GetError() != "" {
		w.st.failed.Add(1)
	} else {
		w.st.processed.Add(1)
	}
	d := doneFrame{result: r, jpeg: f.jpeg, e2e: time.Since(f.arrived)}
	for _, o := range w.mon.observers {
		o.frameDone(w.st, d)
	}
}

// close ends the watch; frames received and never recorded are forgotten.
func (w *streamWatch) close() {
	if w == nil {
		return
	}
	w.mu.Lock()
	clear(w.inFlight)
	w.mu.Unlock()
	for _, o := range w.mon.observers {
		o.streamClosed(w.st)
	}
}

// fps is frames recorded per second of the stream so far.
func (st *streamState) fps(now time.Time) float64 {
	d := now.Sub(st.opened).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(st.processed.Load()+st.failed.Load()) / d
}

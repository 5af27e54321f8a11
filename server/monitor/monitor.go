// Package monitor watches a server's streams: Prometheus metrics (its own
// registry and the gRPC server metrics), the live view over HTTP, and the
// stream log (a stream queued, started and ended, a client's live source
// lost and back, failed frames).
package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/stats"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/monitor/countmetrics"
)

// frameObserver is told what happens to the streams of the service
// (server/service) that a Monitor watches; the metrics, the live view and
// the stream log implement it. Calls for different streams are
// concurrent. For one stream, streamOpened comes first and streamClosed
// last; sourceChanged is called from the stream's receiver goroutine
// (server/serving), once per SourceStatus the client sends; frameReceived
// is called from the frame's own goroutine (so concurrently for the frames
// in flight), frameDone in frame order from the goroutine of
// serving.Serve, which commits the results. Implementations must return
// quickly: they run on the frame path.
type frameObserver interface {
	streamOpened(st *streamState)
	frameReceived(st *streamState, f *pb.Frame)
	frameDone(st *streamState, d doneFrame)
	sourceChanged(st *streamState, s *pb.SourceStatus, wasReconnecting bool)
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
	// superseded counts the live frames the server dropped for a newer
	// frame of the stream (FRAME_DROPPED).
	superseded atomic.Int64
	// news is the state of the client's live source, written by the
	// stream's receiver only; nil until the client says anything.
	news   atomic.Pointer[sourceSnapshot]
	counts countmetrics.Latest // running counts of a stream with counting rules (zones)
}

// sourceSnapshot is the state of a client's live source: what the client
// last said about it between frames (SourceStatus), with the outages that
// ended so far.
type sourceSnapshot struct {
	reconnecting bool
	attempt      int32
	reason       string
	reconnects   int64
	outage       time.Duration
}

// sourceNow is the state of the client's live source.
func (st *streamState) sourceNow() sourceSnapshot {
	if n := st.news.Load(); n != nil {
		return *n
	}
	return sourceSnapshot{}
}

// outageOf is the time of the outages st reports.
func outageOf(st *pb.SourceStatus) time.Duration {
	return time.Duration(st.GetOutageUs()) * time.Microsecond
}

// Monitor watches the streams of the service it is given to (through
// service.Config.Monitor): it keeps Prometheus metrics in a registry of
// its own, feeds the live view and logs a line when a stream waits for a
// slot, starts and ends, when a client's live source is lost and back,
// and when a frame fails. Handler serves the metrics and the live view; StatsHandler counts
// the gRPC bytes. Safe for concurrent use; a nil *Monitor watches nothing.
type Monitor struct {
	metrics   *metrics
	live      *liveView
	observers []frameObserver
	lastID    atomic.Int64
	log       *slog.Logger
}

// New returns a Monitor that logs stream starts and ends to log.
func New(log *slog.Logger) *Monitor {
	m := &Monitor{metrics: newMetrics(), live: newLiveView(), log: log}
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

// Register adds collectors of other parts of the server (event
// delivery) to the metrics served at /metrics.
func (m *Monitor) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.metrics.reg.Register(c); err != nil {
			return fmt.Errorf("register metrics: %w", err)
		}
	}
	return nil
}

// StatsHandler counts the bytes every gRPC call receives and sends, as
// they are on the wire; give it to grpc.StatsHandler.
func (m *Monitor) StatsHandler() stats.Handler {
	return wireStats{m: m.metrics}
}

// Queued logs that the stream ctx's call opened with hdr waits for a
// stream slot, at position in the queue (1 = next). Nothing when m is nil.
func (m *Monitor) Queued(ctx context.Context, hdr *pb.StreamHeader, position int) {
	if m == nil {
		return
	}
	m.log.Info("stream queued", "stream", hdr.GetName(), "position", position, "peer", peerOf(ctx))
}

// peerOf is the address of ctx's caller, "" when unknown.
func peerOf(ctx context.Context) string {
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		return p.Addr.String()
	}
	return ""
}

// Watch starts watching a stream that ctx's call opened with hdr, or
// returns nil when m is nil.
func (m *Monitor) Watch(ctx context.Context, hdr *pb.StreamHeader, model string) *StreamWatch {
	if m == nil {
		return nil
	}
	st := &streamState{
		id: m.lastID.Add(1), name: hdr.GetName(), source: hdr.GetSource(), model: model,
		live: hdr.GetLive(), frameCount: hdr.GetFrameCount(), opened: time.Now(), peer: peerOf(ctx),
	}
	for _, o := range m.observers {
		o.streamOpened(st)
	}
	return &StreamWatch{mon: m, st: st, inFlight: map[int64]*inFlightFrame{}}
}

// fps is frames recorded per second of the stream so far.
func (st *streamState) fps(now time.Time) float64 {
	d := now.Sub(st.opened).Seconds()
	if d <= 0 {
		return 0
	}
	return float64(st.processed.Load()+st.failed.Load()) / d
}

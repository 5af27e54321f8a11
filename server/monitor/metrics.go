package monitor

import (
	"context"
	"slices"
	"sync"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"google.golang.org/grpc/stats"

	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/server/monitor/countmetrics"
)

// metrics keeps the server's Prometheus metrics in a registry of its own
// (never the process-wide default one). It implements frameObserver; its
// wireStats counts gRPC bytes. Safe for concurrent use.
type metrics struct {
	reg  *prometheus.Registry
	grpc *grpcprom.ServerMetrics
	// ended lists the names of ended streams whose series are kept, oldest
	// first; past maxEndedSeries the oldest's series are removed, so that
	// client-chosen names cannot grow the label set without bound.
	endedMu sync.Mutex
	ended   []string
	open    map[string]int // open streams by name

	received, processed, failed, dropped *prometheus.CounterVec // by stream
	sourceReconnects, sourceOutage       *prometheus.CounterVec // by stream
	sourceReconnecting                   *prometheus.GaugeVec   // by stream
	stage                                *prometheus.HistogramVec
	e2e                                  prometheus.Histogram
	inFlight, active                     prometheus.Gauge
	bytesIn, bytesOut                    *prometheus.CounterVec // by gRPC method
	counts                               *countmetrics.Gauges   // by stream, rule, class
}

// Stage names of the framewire_stage_duration_seconds histogram.
const (
	stageQueue     = "queue"
	stageDecode    = "decode"
	stageInference = "inference"
	stageAnnotate  = "annotate"
	stageWrite     = "write"
)

// durationBuckets are the bounds of the time histograms: 0.5 ms to about
// 16 s.
var durationBuckets = prometheus.ExponentialBuckets(0.0005, 2, 16)

// newMetrics creates the server's metrics and registers them, with the
// Go runtime's and the process's, in a registry of their own.
func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), open: map[string]int{}}
	m.addFrameCounters()
	m.addTimings()
	m.addLoad()
	m.counts = countmetrics.New(m.reg)
	m.grpc = grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(grpcprom.WithHistogramBuckets(durationBuckets)))
	m.reg.MustRegister(m.received, m.processed, m.failed, m.dropped,
		m.sourceReconnects, m.sourceOutage, m.sourceReconnecting, m.stage, m.e2e,
		m.inFlight, m.active, m.bytesIn, m.bytesOut, m.grpc,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// perStream is a counter labelled by stream name.
func perStream(name, help string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"stream"})
}

// addFrameCounters creates the per-stream frame counters.
func (m *metrics) addFrameCounters() {
	m.received = perStream("framewire_frames_received_total", "Frames received, by stream name.")
	m.processed = perStream("framewire_frames_processed_total", "Frames processed and recorded without error, by stream name.")
	m.failed = perStream("framewire_frames_failed_total", "Frames recorded with a per-frame error, by stream name.")
	m.dropped = perStream("framewire_frames_dropped_total",
		"Live frames dropped for a newer frame of the same stream, by the client (replaced before sending, as it reported them with the next frame it sent) or by the server (replaced while waiting for a worker), by stream name.")
	m.sourceReconnects = perStream("framewire_source_reconnects_total",
		"Times a live client's source (camera) was lost and came back while the stream went on, by stream name.")
	m.sourceOutage = perStream("framewire_source_outage_seconds_total",
		"Time a live client's source was lost before it came back, from its last frame to its first frame again, by stream name.")
	m.sourceReconnecting = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "framewire_source_reconnecting",
		Help: "1 while a live client says its source is lost and it is opening it again, else 0, by stream name."}, []string{"stream"})
}

// addTimings creates the per-stage and end-to-end frame time histograms.
func (m *metrics) addTimings() {
	m.stage = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "framewire_stage_duration_seconds",
		Help: "Time of one frame in each server stage: queue (waiting for a worker), decode, inference " +
			"(the model: pre-processing, forward pass and non-maximum suppression), annotate (draw and JPEG-encode), write.",
		Buckets: durationBuckets,
	}, []string{"stage"})
	m.e2e = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "framewire_frame_duration_seconds",
		Help:    "Time from a frame's arrival at the server to its recorded result.",
		Buckets: durationBuckets,
	})
}

// addLoad creates the gauges of frames and streams in progress and the
// gRPC byte counters.
func (m *metrics) addLoad() {
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "framewire_frames_in_flight", Help: "Frames received and not yet recorded, over all streams."})
	m.active = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "framewire_streams_active", Help: "Streams open now."})
	m.bytesIn = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "framewire_grpc_received_bytes_total", Help: "Bytes of gRPC messages received, as on the wire, by method."},
		[]string{"method"})
	m.bytesOut = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "framewire_grpc_sent_bytes_total", Help: "Bytes of gRPC messages sent, as on the wire, by method."},
		[]string{"method"})
}

// maxEndedSeries is how many ended streams keep their per-stream series.
const maxEndedSeries = 64

func (m *metrics) streamOpened(st *streamState) {
	m.endedMu.Lock()
	m.open[st.name]++
	m.endedMu.Unlock()
	m.active.Inc()
	// Show the stream's counters at 0 from its start.
	for _, c := range m.streamCounters() {
		c.WithLabelValues(st.name)
	}
	m.sourceReconnecting.WithLabelValues(st.name).Set(0)
}

// streamCounters are the counters labelled by stream name.
func (m *metrics) streamCounters() []*prometheus.CounterVec {
	return []*prometheus.CounterVec{m.received, m.processed, m.failed, m.dropped, m.sourceReconnects, m.sourceOutage}
}

// sourceChanged counts the outages that ended and shows whether the
// source is reconnecting now.
func (m *metrics) sourceChanged(st *streamState, s *pb.SourceStatus, _ bool) {
	m.sourceReconnects.WithLabelValues(st.name).Add(float64(s.GetReconnects()))
	m.sourceOutage.WithLabelValues(st.name).Add(outageOf(s).Seconds())
	m.sourceReconnecting.WithLabelValues(st.name).Set(float64(s.GetState())) // SOURCE_RECONNECTING is 1
}

func (m *metrics) frameReceived(st *streamState, f *pb.Frame) {
	m.received.WithLabelValues(st.name).Inc()
	m.dropped.WithLabelValues(st.name).Add(float64(f.GetDroppedBefore()))
	m.inFlight.Inc()
}

func (m *metrics) frameDone(st *streamState, d doneFrame) {
	m.inFlight.Dec()
	if d.result.GetStatus() == pb.FrameStatus_FRAME_DROPPED {
		m.dropped.WithLabelValues(st.name).Inc()
		return
	}
	m.e2e.Observe(d.e2e.Seconds())
	if d.result.GetError() != "" {
		m.failed.WithLabelValues(st.name).Inc()
		return
	}
	m.processed.WithLabelValues(st.name).Inc()
	m.observeStages(d.result)
}

// observeStages adds the stage times of a processed frame's result r.
func (m *metrics) observeStages(r *pb.FrameResult) {
	t := r.GetTimings()
	m.observe(stageQueue, t.GetQueueUs())
	m.observe(stageDecode, t.GetDecodeUs())
	m.observe(stageInference, t.GetInferenceUs())
	// Frames neither written nor watched are not annotated.
	if t.GetAnnotateUs() > 0 {
		m.observe(stageAnnotate, t.GetAnnotateUs())
	}
	if r.GetOutputPath() != "" {
		m.observe(stageWrite, t.GetWriteUs())
	}
}

// observe adds us microseconds to the histogram of stage.
func (m *metrics) observe(stage string, us int64) {
	m.stage.WithLabelValues(stage).Observe((time.Duration(us) * time.Microsecond).Seconds())
}

func (m *metrics) streamClosed(st *streamState) {
	m.active.Dec()
	// Frames received and never recorded (a call cut short) leave too.
	m.inFlight.Sub(float64(st.received.Load() - st.processed.Load() - st.failed.Load() - st.superseded.Load()))
	m.sourceReconnecting.WithLabelValues(st.name).Set(0)
	m.forget(st.name)
}

// forget keeps name's series among the last maxEndedSeries ended streams
// and removes the series of the oldest one beyond that, unless it is open
// again.
func (m *metrics) forget(name string) {
	m.endedMu.Lock()
	defer m.endedMu.Unlock()
	m.open[name]--
	if m.open[name] <= 0 {
		delete(m.open, name)
	}
	m.ended = append(slices.DeleteFunc(m.ended, func(n string) bool { return n == name }), name)
	for len(m.ended) > maxEndedSeries {
		old := m.ended[0]
		m.ended = m.ended[1:]
		if m.open[old] <= 0 {
			m.deleteSeries(old)
		}
	}
}

// deleteSeries removes the per-stream series of the stream name.
func (m *metrics) deleteSeries(name string) {
	for _, c := range m.streamCounters() {
		c.DeleteLabelValues(name)
	}
	m.sourceReconnecting.DeleteLabelValues(name)
	m.counts.Forget(name)
}

// wireStats is a grpc stats.Handler that counts message bytes by method.
// Methods other than ImageProcedure's are counted as "other", so a client
// cannot grow the label set.
type wireStats struct{ m *metrics }

type methodKey struct{}

func (w wireStats) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	return context.WithValue(ctx, methodKey{}, methodName(info.FullMethodName))
}

// methodName is the short name of the ImageProcedure method full, or
// "other".
func methodName(full string) string {
	method := "other"
	prefix := "/" + pb.ImageProcedure_ServiceDesc.ServiceName + "/"
	for _, d := range pb.ImageProcedure_ServiceDesc.Methods {
		if full == prefix+d.MethodName {
			method = d.MethodName
		}
	}
	for _, d := range pb.ImageProcedure_ServiceDesc.Streams {
		if full == prefix+d.StreamName {
			method = d.StreamName
		}
	}
	return method
}

func (w wireStats) HandleRPC(ctx context.Context, s stats.RPCStats) {
	method, _ := ctx.Value(methodKey{}).(string)
	switch s := s.(type) {
	case *stats.InPayload:
		w.m.bytesIn.WithLabelValues(method).Add(float64(s.WireLength))
	case *stats.OutPayload:
		w.m.bytesOut.WithLabelValues(method).Add(float64(s.WireLength))
	}
}

func (wireStats) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }

func (wireStats) HandleConn(context.Context, stats.ConnStats) {}

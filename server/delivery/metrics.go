package delivery

import "github.com/prometheus/client_golang/prometheus"

// metrics count what the sinks did, labelled by sink kind only (a handful
// of values, whatever the number of streams).
type metrics struct {
	delivered, retries, rejected, invalid *prometheus.CounterVec
	pending, up                           *prometheus.GaugeVec
}

func newMetrics() *metrics {
	bySink := []string{"sink"}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, bySink)
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, bySink)
	}
	return &metrics{
		delivered: counter("framewire_delivery_delivered_events_total", "Events the receiver acknowledged (a resend after a crash or an outage counts again)."),
		retries:   counter("framewire_delivery_retries_total", "Failed delivery attempts (receiver down, 5xx, timeout), each followed by a backoff and a retry."),
		rejected:  counter("framewire_delivery_rejected_events_total", "Events the receiver refused for good (a webhook's 4xx other than 408 and 429), skipped."),
		invalid:   counter("framewire_delivery_invalid_lines_total", "Complete lines of events.jsonl that are not an event with an id, skipped."),
		pending:   gauge("framewire_delivery_pending_bytes", "Bytes of events.jsonl, over every stream, not delivered yet."),
		up:        gauge("framewire_delivery_up", "1 when the last delivery attempt succeeded, 0 while the receiver fails."),
	}
}

// collectors are the metrics to register.
func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.delivered, m.retries, m.rejected, m.invalid, m.pending, m.up}
}

// sinkMetrics are one sink's series.
type sinkMetrics struct {
	delivered, retries, rejected, invalid prometheus.Counter
	pending, up                           prometheus.Gauge
}

func (m *metrics) of(sink string) sinkMetrics {
	return sinkMetrics{
		delivered: m.delivered.WithLabelValues(sink), retries: m.retries.WithLabelValues(sink),
		rejected: m.rejected.WithLabelValues(sink), invalid: m.invalid.WithLabelValues(sink),
		pending: m.pending.WithLabelValues(sink), up: m.up.WithLabelValues(sink),
	}
}

package mqttsink_test

import (
	"context"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/framewire/framewire/internal/backoff"
	"github.com/framewire/framewire/server/delivery"
	"github.com/framewire/framewire/server/delivery/eventstest"
	"github.com/framewire/framewire/server/delivery/mqttsink"
	"github.com/framewire/framewire/server/delivery/mqttsink/mosquittotest"
)

// deliver runs a Deliverer of out's events to an MQTT sink of cfg until
// the test ends; it returns the Deliverer's metrics.
func deliver(t testing.TB, out string, cfg mqttsink.Config) *prometheus.Registry {
	t.Helper()
	sink, err := mqttsink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := delivery.New(delivery.Config{OutDir: out, Sinks: []delivery.Sink{sink}, Poll: 20 * time.Millisecond,
		Backoff: backoff.Policy{Min: 20 * time.Millisecond, Max: 200 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(d.Collectors()...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; d.Close() })
	return reg
}

// metric is the value of the sink's series of name.
func metric(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) > 0 {
			m := mf.GetMetric()[0]
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

// waitFor polls cond until it holds or 20 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Mosquitto is stopped for part of the run (SIGTERM: it saves its
// sessions and closes every connection; SIGKILL: it dies mid-stream,
// connections cut) while events keep coming, on a stream that goes on
// and on one that starts and ends meanwhile: once it is back, every event
// id reaches the subscriber, in order per stream.
func TestEveryEventArrivesAfterTheBrokerComesBack(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) { everyEventArrivesAfter(t, sig) })
	}
}

// everyEventArrivesAfter is the test above with the broker stopped by sig.
func everyEventArrivesAfter(t *testing.T, sig syscall.Signal) {
	broker := mosquittotest.Start(t)
	sub := mosquittotest.Subscribe(t, broker, "test-subscriber", "framewire/+/events")
	out := t.TempDir()
	want := map[string][]string{"cam1": eventstest.Append(t, out, "cam1", 0, 50)}
	reg := deliver(t, out, mqttsink.Config{URL: broker.URL(), ClientID: "framewire-test", Timeout: 2 * time.Second})
	waitFor(t, "the first events", func() bool { return len(sub.IDs()) >= 50 })

	broker.Stop(sig)
	want["cam1"] = append(want["cam1"], eventstest.Append(t, out, "cam1", 50, 250)...)
	want["cam2"] = eventstest.Append(t, out, "cam2", 0, 40)
	waitFor(t, "failed attempts while the broker is down", func() bool {
		return metric(t, reg, "framewire_delivery_retries_total") >= 3
	})
	if up := metric(t, reg, "framewire_delivery_up"); up != 0 {
		t.Errorf("framewire_delivery_up = %v while the broker is down, want 0", up)
	}
	broker.Restart()
	waitFor(t, "every event", func() bool { return len(eventstest.Missing(sub.IDs(), append(want["cam1"], want["cam2"]...))) == 0 })
	for stream, ids := range want {
		eventstest.CheckAll(t, eventstest.OfStream(sub.IDs(), stream), ids)
	}
	if got := sub.Topic(want["cam2"][0]); got != "framewire/cam2/events" {
		t.Errorf("cam2's event came on topic %q, want framewire/cam2/events", got)
	}
	waitFor(t, "framewire_delivery_pending_bytes 0", func() bool { return metric(t, reg, "framewire_delivery_pending_bytes") == 0 })
}

func TestCredentialsFromTheURLAndTheTopicTemplate(t *testing.T) {
	broker := mosquittotest.Start(t, mosquittotest.WithPassword("cam-user", "s3cret:/@"))
	sub := mosquittotest.Subscribe(t, broker, "test-subscriber", "site/#")
	out := t.TempDir()
	want := eventstest.Append(t, out, "door", 0, 20)
	u, _ := url.Parse(broker.URL())
	u.User = url.UserPassword("cam-user", "s3cret:/@")
	deliver(t, out, mqttsink.Config{URL: u.String(), Topic: "site/{stream}/{kind}", ClientID: "framewire-test"})
	waitFor(t, "every event", func() bool { return len(sub.IDs()) >= 20 })
	eventstest.CheckAll(t, sub.IDs(), want)
	if got := sub.Topic(want[0]); got != "site/door/line_crossed" {
		t.Errorf("topic %q, want site/door/line_crossed", got)
	}
}

func TestWrongPasswordDeliversNothingAndRetries(t *testing.T) {
	broker := mosquittotest.Start(t, mosquittotest.WithPassword("cam-user", "right"))
	out := t.TempDir()
	eventstest.Append(t, out, "door", 0, 5)
	reg := deliver(t, out, mqttsink.Config{URL: broker.URL(), Username: "cam-user", Password: "wrong", ClientID: "framewire-test"})
	waitFor(t, "failed attempts", func() bool { return metric(t, reg, "framewire_delivery_retries_total") >= 2 })
	if got := metric(t, reg, "framewire_delivery_delivered_events_total"); got != 0 {
		t.Errorf("delivered %v events with a wrong password", got)
	}
}

func TestNewRefusesWhatCannotWork(t *testing.T) {
	for _, c := range []struct {
		cfg  mqttsink.Config
		want string
	}{
		{mqttsink.Config{URL: "http://broker"}, "want mqtt:// or mqtts://"},
		{mqttsink.Config{URL: "mqtt://"}, "names no host"},
		{mqttsink.Config{URL: "mqtt://u:pass word@%zz"}, "is not a URL"},
		{mqttsink.Config{URL: "mqtt://broker", Topic: "a/#"}, "'+' and '#'"},
	} {
		_, err := mqttsink.New(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "pass word") {
			t.Errorf("New(%+v) = %v, want an error with %q and no password", c.cfg, err, c.want)
		}
	}
}

// BenchmarkDeliver measures events a second from events.jsonl to a
// subscriber through a local mosquitto, PUBACK before the cursor moves.
func BenchmarkDeliver(b *testing.B) {
	broker := mosquittotest.Start(b)
	sub := mosquittotest.Subscribe(b, broker, "bench-subscriber", "framewire/+/events")
	out := b.TempDir()
	want := eventstest.Append(b, out, "cam", 0, b.N)
	b.ResetTimer()
	reg := deliver(b, out, mqttsink.Config{URL: broker.URL(), ClientID: "framewire-bench"})
	for metric(b, reg, "framewire_delivery_delivered_events_total") < float64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "acked_events/s")
	for len(eventstest.Missing(sub.IDs(), want)) > 0 {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// A broker that stops answering (frozen, as behind a network partition)
// with the connection open: the PUBACK wait times out, the connection is
// dropped and the batch sent again once the broker answers.
func TestFrozenBrokerTimesOutAndNothingIsLost(t *testing.T) {
	broker := mosquittotest.Start(t)
	sub := mosquittotest.Subscribe(t, broker, "test-subscriber", "framewire/+/events")
	out := t.TempDir()
	want := eventstest.Append(t, out, "cam", 0, 10)
	reg := deliver(t, out, mqttsink.Config{URL: broker.URL(), ClientID: "framewire-test", Timeout: 300 * time.Millisecond})
	waitFor(t, "the first events", func() bool { return len(sub.IDs()) >= 10 })
	broker.Signal(syscall.SIGSTOP)
	want = append(want, eventstest.Append(t, out, "cam", 10, 100)...)
	waitFor(t, "timed-out attempts", func() bool { return metric(t, reg, "framewire_delivery_retries_total") >= 2 })
	broker.Signal(syscall.SIGCONT)
	waitFor(t, "every event", func() bool { return len(eventstest.Missing(sub.IDs(), want)) == 0 })
	eventstest.CheckAll(t, sub.IDs(), want)
}

package mqttsink_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/framewire/framewire/server/delivery"
	"github.com/framewire/framewire/server/delivery/eventstest"
	"github.com/framewire/framewire/server/delivery/mqttsink"
	"github.com/framewire/framewire/server/delivery/mqttsink/mosquittotest"
)

// BenchmarkAppendToArrival measures the time from an event's append to
// events.jsonl (synced) to its arrival at a subscriber of a local
// mosquitto, with the server's poll (200 ms), one event at a time at a
// random moment of the poll: "poll" finds it at the next poll, "notify"
// wakes the Deliverer at once, as the event stage does. Run with
// -benchtime=100x: it reports the median and the 90th percentile.
func BenchmarkAppendToArrival(b *testing.B) {
	for _, notify := range []bool{false, true} {
		name := map[bool]string{false: "poll", true: "notify"}[notify]
		b.Run(name, func(b *testing.B) { appendToArrival(b, notify) })
	}
}

func appendToArrival(b *testing.B, notify bool) {
	broker := mosquittotest.Start(b)
	sub := mosquittotest.Subscribe(b, broker, "bench-subscriber", "framewire/+/events")
	out := b.TempDir()
	sink, err := mqttsink.New(mqttsink.Config{URL: broker.URL(), ClientID: "framewire-bench"})
	if err != nil {
		b.Fatal(err)
	}
	d, err := delivery.New(delivery.Config{OutDir: out, Sinks: []delivery.Sink{sink}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done; d.Close() }()
	lat := make([]time.Duration, 0, b.N)
	for i := range b.N {
		time.Sleep(rand.N(delivery.DefaultPoll)) // events come at any moment of the poll
		start := time.Now()
		id := eventstest.Append(b, out, "cam", i, i+1)[0]
		if notify {
			d.Notify("cam")
		}
		lat = append(lat, arrival(b, sub, id).Sub(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90_ms")
}

// arrival polls until id reached sub, for at most 10 s, and returns when
// it did (the subscriber stamps the arrival itself: the poll's period
// does not change the figure).
func arrival(b *testing.B, sub *mosquittotest.Subscriber, id string) time.Time {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if at, ok := sub.Arrived(id); ok {
			return at
		}
		if time.Now().After(deadline) {
			b.Fatalf("event %s did not arrive in 10 s", id)
		}
		time.Sleep(time.Millisecond)
	}
}

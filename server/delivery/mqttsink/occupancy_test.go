package mqttsink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/framewire/framewire/internal/backoff"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/delivery/mqttsink"
	"github.com/framewire/framewire/server/delivery/mqttsink/mosquittotest"
)

// publishOccupancy runs an occupancy publisher to broker until the test
// ends.
func publishOccupancy(t *testing.T, broker *mosquittotest.Broker, topic string) *mqttsink.Occupancy {
	t.Helper()
	o, err := mqttsink.NewOccupancy(mqttsink.Config{URL: broker.URL(), ClientID: "framewire-test", OccupancyTopic: topic, Timeout: 2 * time.Second},
		backoff.Policy{Min: 20 * time.Millisecond, Max: 200 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; o.Close() })
	return o
}

// occupancyOn waits for sub's last message on topic to hold count and
// returns it.
func occupancyOn(t *testing.T, sub *mosquittotest.Subscriber, topic string, count int64) (record.Occupancy, mosquittotest.Message) {
	t.Helper()
	var got record.Occupancy
	var m mosquittotest.Message
	waitFor(t, topic+" to hold the occupancy", func() bool {
		var ok bool
		m, ok = sub.Last(topic)
		return ok && json.Unmarshal(m.Payload, &got) == nil && got.Count == count
	})
	return got, m
}

// A subscriber that comes after the changes gets each zone's occupancy
// now, retained by the broker: the latest value, per class when the zone
// has classes; after the broker restarted, a change made while it was
// down reaches the next late subscriber.
func TestLateSubscriberGetsTheZonesOccupancy(t *testing.T) {
	broker := mosquittotest.Start(t)
	early := mosquittotest.Subscribe(t, broker, "early", "framewire/+/zones/+/occupancy")
	o := publishOccupancy(t, broker, mqttsink.DefaultOccupancyTopic)
	pos := int64(2_000_000)
	for n := range int64(4) { // 0, 1, 2, 3 people at the desk
		o.Publish(record.Occupancy{Stream: "cam", Zone: "desk", Count: n, Seq: 10 + n})
	}
	o.Publish(record.Occupancy{Stream: "cam", Zone: "door", Count: 2, Classes: map[string]int64{"person": 1, "dog": 1},
		Seq: 50, CaptureUnixNano: 1e18, PositionUs: &pos})
	desk, door := "framewire/cam/zones/desk/occupancy", "framewire/cam/zones/door/occupancy"
	occupancyOn(t, early, desk, 3)
	occupancyOn(t, early, door, 2)

	late := mosquittotest.Subscribe(t, broker, "late", "framewire/+/zones/+/occupancy")
	got, m := occupancyOn(t, late, desk, 3)
	if !m.Retained || got.Seq != 13 || got.Stream != "cam" || got.Zone != "desk" || got.Classes != nil {
		t.Errorf("late subscriber got %s (retained %v), want the desk's count 3 at frame 13, retained, no classes", m.Payload, m.Retained)
	}
	got, _ = occupancyOn(t, late, door, 2)
	if got.Classes["person"] != 1 || got.Classes["dog"] != 1 || got.Seq != 50 || got.PositionUs == nil || *got.PositionUs != pos {
		t.Errorf("late subscriber got door %+v, want 1 person and 1 dog at frame 50, position %d", got, pos)
	}

	// Stopped cleanly, then killed mid-stream: the value set while the
	// broker was away is the one a new subscriber gets.
	for i, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		broker.Stop(sig)
		seq := int64(90 + i)
		o.Publish(record.Occupancy{Stream: "cam", Zone: "desk", Count: int64(1 + i), Seq: seq})
		broker.Restart()
		again := mosquittotest.Subscribe(t, broker, fmt.Sprintf("after-restart-%d", i), "framewire/+/zones/+/occupancy")
		if got, m := occupancyOn(t, again, desk, int64(1+i)); got.Seq != seq {
			t.Errorf("after %v and a restart got %s, want the desk's count %d at frame %d", sig, m.Payload, 1+i, seq)
		}
	}
}

func TestOccupancyTopicTemplate(t *testing.T) {
	o, err := mqttsink.NewOccupancy(mqttsink.Config{URL: "mqtt://broker", OccupancyTopic: "site/{stream}/{zone}"}, backoff.Policy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.Topic("cam", "desk"); got != "site/cam/desk" {
		t.Errorf("topic %q, want site/cam/desk", got)
	}
	if _, err := mqttsink.NewOccupancy(mqttsink.Config{URL: "mqtt://broker", OccupancyTopic: "site/+/{zone}"}, backoff.Policy{}, nil); err == nil {
		t.Error("a topic with + was taken")
	}
}

// A value published just before the publisher stops is not lost: it goes
// out before Run returns.
func TestOccupancySetJustBeforeTheStopIsPublished(t *testing.T) {
	broker := mosquittotest.Start(t)
	o, err := mqttsink.NewOccupancy(mqttsink.Config{URL: broker.URL(), ClientID: "framewire-test", Timeout: 2 * time.Second}, backoff.Policy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	ctx, cancel := context.WithCancel(context.Background())
	o.Publish(record.Occupancy{Stream: "cam", Zone: "desk", Count: 4, Seq: 7})
	cancel()
	o.Run(ctx) // ctx is over: at most the last flush
	late := mosquittotest.Subscribe(t, broker, "late", "framewire/+/zones/+/occupancy")
	occupancyOn(t, late, "framewire/cam/zones/desk/occupancy", 4)
}

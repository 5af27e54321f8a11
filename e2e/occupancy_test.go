package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/framewire/framewire/internal/capturecmd"
	"github.com/framewire/framewire/proto/record"
	"github.com/framewire/framewire/server/delivery/eventstest"
	"github.com/framewire/framewire/server/delivery/mqttsink/mosquittotest"
)

// leftZone adds to doorZones a zone over the left half of the frame.
const leftZone = doorZones + `zones:
  - name: left
    polygon: [[0, 0], [360, 0], [360, 640], [0, 640]]
    classes: [person]
`

// A counted stream on a server with --mqtt: every event reaches a
// subscriber, and one that subscribes after the stream ended gets the
// zone's occupancy then, retained, equal to its entries minus its exits.
func TestCountedStreamPublishesEventsAndRetainedOccupancy(t *testing.T) {
	t.Parallel()
	broker := mosquittotest.Start(t)
	sub := mosquittotest.Subscribe(t, broker, "e2e-events", "framewire/#")
	dir, _ := crossingWalkers(t)
	zones := filepath.Join(t.TempDir(), "zones.yaml")
	if err := os.WriteFile(zones, []byte(leftZone), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, t.TempDir(), "--mqtt", broker.URL())
	var stdout, stderr strings.Builder
	if err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", dir, "--name", "door", "--zones", zones, "--quiet"}, &stdout, &stderr); err != nil {
		t.Fatalf("client failed: %v\n%s", err, stderr.String())
	}
	var ids []string
	inside, lastChange := int64(0), int64(0)
	for _, e := range readEvents(t, filepath.Join(s.out, "door", record.EventsFile)) {
		ids = append(ids, e.ID)
		switch {
		case e.Rule == "left" && e.Kind == record.KindZoneEntered:
			inside, lastChange = inside+1, e.Seq
		case e.Rule == "left" && e.Kind == record.KindZoneLeft:
			inside, lastChange = inside-1, e.Seq
		}
	}
	if len(ids) < 3 {
		t.Fatalf("%d events, want the crossings and the zone's entries", len(ids))
	}
	waitUntil(t, "every event on MQTT", func() bool { return len(eventstest.Missing(sub.IDs(), ids)) == 0 })
	// The occupancy goes on its own connection: the late subscriber comes
	// once the last value is out, so that the broker retains that one.
	const topic = "framewire/door/zones/left/occupancy"
	waitUntil(t, "the zone's last occupancy on MQTT", func() bool {
		var o record.Occupancy
		m, ok := sub.Last(topic)
		return ok && json.Unmarshal(m.Payload, &o) == nil && o.Count == inside && o.Seq >= lastChange
	})

	late := mosquittotest.Subscribe(t, broker, "e2e-late", "framewire/+/zones/+/occupancy")
	var got record.Occupancy
	var m mosquittotest.Message
	waitUntil(t, "the retained occupancy", func() bool {
		var ok bool
		m, ok = late.Last(topic)
		return ok && json.Unmarshal(m.Payload, &got) == nil
	})
	t.Logf("%d events; the zone's occupancy at the end: %s", len(ids), m.Payload)
	if !m.Retained || got.Count != inside || got.Classes["person"] != inside || got.Stream != "door" || got.Seq == 0 {
		t.Errorf("late subscriber got %s (retained %v), want %d inside, person %d, at a frame, retained", m.Payload, m.Retained, inside, inside)
	}
}

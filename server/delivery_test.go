package server

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/framewire/framewire/server/delivery/eventstest"
	"github.com/framewire/framewire/server/delivery/webhook"
)

// The server started with a webhook delivers the events files it finds
// in its output folder, and shows the delivery in /metrics.
func TestServerDeliversToTheWebhookAndCountsIt(t *testing.T) {
	var mu sync.Mutex
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.Header.Get(webhook.IDHeader))
	}))
	defer hook.Close()
	out := t.TempDir()
	want := eventstest.Append(t, out, "door", 0, 25)
	m := startServing(t, Config{OutDir: out, Webhook: webhook.Config{URL: hook.URL, Secret: "s"}})
	deadline := time.Now().Add(10 * time.Second)
	for metricValue(t, get(t, m.http.URL+"/metrics"), `framewire_delivery_delivered_events_total{sink="webhook"}`) < 25 {
		if time.Now().After(deadline) {
			t.Fatal("the events were not delivered in 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	eventstest.CheckAll(t, got, want)
}

func TestDefaultMQTTClientIDIsStableAndBounded(t *testing.T) {
	a, b := DefaultMQTTClientID("/srv/out"), DefaultMQTTClientID("/srv/out")
	if a != b || a == DefaultMQTTClientID("/srv/other") || len(a) > 64 {
		t.Errorf("ids %q, %q (and %q for another folder): want the same for one folder, another for another, at most 64 bytes", a, b, DefaultMQTTClientID("/srv/other"))
	}
}

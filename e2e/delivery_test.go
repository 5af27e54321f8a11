package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/framewire/framewire/server/delivery/eventstest"
	"github.com/framewire/framewire/server/delivery/mqttsink/mosquittotest"
	"github.com/framewire/framewire/server/delivery/webhook"
)

// hookReceiver answers 503 to its first fail requests, then takes every
// correctly signed event.
type hookReceiver struct {
	mu     sync.Mutex
	fail   int
	calls  int
	ids    []string
	badSig int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	switch {
	case h.calls <= h.fail:
		w.WriteHeader(http.StatusServiceUnavailable)
	case !webhook.Verify([]byte("e2e-secret"), body, r.Header.Get(webhook.SignatureHeader)):
		h.badSig++
		w.WriteHeader(http.StatusUnauthorized)
	default:
		h.ids = append(h.ids, r.Header.Get(webhook.IDHeader))
	}
}

func (h *hookReceiver) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ids...)
}

// The real server delivers the events files it finds under --out to a
// real mosquitto and a webhook: the server is SIGKILLed while delivering,
// the broker is stopped, more events are written, the server restarts
// while the broker is still down, and the broker comes back: every event
// id reaches the subscriber and the webhook, in order.
func TestServerDeliversEveryEventAcrossKillsAndOutages(t *testing.T) {
	t.Parallel()
	broker := mosquittotest.Start(t)
	sub := mosquittotest.Subscribe(t, broker, "e2e-subscriber", "framewire/+/events")
	hook := &hookReceiver{fail: 10}
	hs := httptest.NewServer(hook)
	defer hs.Close()
	out := t.TempDir()
	want := eventstest.Append(t, out, "gate", 0, 500)
	args := []string{"--model", "mean", "--mqtt", broker.URL(), "--webhook", hs.URL, "--webhook-secret", "e2e-secret", "--delivery-retry-max", "300ms"}
	srv := startServer(t, out, args...)
	waitUntil(t, "the first events", func() bool { return len(sub.IDs()) > 0 })
	srv.Kill()
	t.Logf("server killed after %d of %d events reached the subscriber, %d the webhook", len(want)-len(eventstest.Missing(sub.IDs(), want)), len(want), len(hook.got()))

	broker.Stop(syscall.SIGTERM)
	want = append(want, eventstest.Append(t, out, "gate", 500, 600)...)
	startServer(t, out, args...)
	waitUntil(t, "the webhook's events", func() bool { return len(eventstest.Missing(hook.got(), want)) == 0 })
	broker.Restart()
	waitUntil(t, "the subscriber's events", func() bool { return len(eventstest.Missing(sub.IDs(), want)) == 0 })
	eventstest.CheckAll(t, sub.IDs(), want)
	eventstest.CheckAll(t, hook.got(), want)
	t.Logf("%d events: %d MQTT deliveries, %d webhook deliveries (repeats carry the same id)", len(want), len(sub.IDs()), len(hook.got()))
	if hook.badSig > 0 {
		t.Errorf("%d webhook requests with a wrong signature", hook.badSig)
	}
}

// waitUntil polls cond until it holds or 30 s pass.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

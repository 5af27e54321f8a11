package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/framewire/framewire/internal/backoff"
	"github.com/framewire/framewire/server/delivery"
	"github.com/framewire/framewire/server/delivery/eventstest"
	"github.com/framewire/framewire/server/delivery/webhook"
)

const secret = "webhook-secret"

// receiver is an endpoint that checks every request (signature, id header
// against the body's id) and answers what answer says.
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	ids    []string // accepted, in order
	calls  int
	answer func(call int, id string) int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var ev struct {
		ID string `json:"id"`
	}
	switch {
	case err != nil || json.Unmarshal(body, &ev) != nil:
		rc.t.Errorf("unreadable body %q: %v", body, err)
	case !webhook.Verify([]byte(secret), body, r.Header.Get(webhook.SignatureHeader)):
		rc.t.Errorf("event %s: signature %q does not match its body", ev.ID, r.Header.Get(webhook.SignatureHeader))
	case r.Header.Get(webhook.IDHeader) != ev.ID || r.Header.Get("Content-Type") != "application/json":
		rc.t.Errorf("headers %v do not match event %s", r.Header, ev.ID)
	}
	rc.mu.Lock()
	rc.calls++
	call := rc.calls
	rc.mu.Unlock()
	code := rc.answer(call, ev.ID) // may block: not under rc.mu
	rc.mu.Lock()
	if code/100 == 2 {
		rc.ids = append(rc.ids, ev.ID)
	}
	rc.mu.Unlock()
	w.WriteHeader(code)
}

func (rc *receiver) got() ([]string, int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.ids...), rc.calls
}

// deliver runs a Deliverer of out's events to a webhook sink of cfg until
// the test ends; it returns the Deliverer's metrics.
func deliver(t testing.TB, out string, cfg webhook.Config) *prometheus.Registry {
	t.Helper()
	sink, err := webhook.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := delivery.New(delivery.Config{OutDir: out, Sinks: []delivery.Sink{sink}, Poll: 20 * time.Millisecond,
		Backoff: backoff.Policy{Min: 10 * time.Millisecond, Max: 100 * time.Millisecond}})
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

func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) > 0 {
			if c := mf.GetMetric()[0].GetCounter(); c != nil {
				return c.GetValue()
			}
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	return 0
}

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

// The endpoint answers 503 for a while (its first 15 requests), and
// later times out once: every event id arrives, in order, each accepted
// request signed.
func TestEveryEventArrivesAfterAWhileOf503(t *testing.T) {
	rc := &receiver{t: t}
	release := make(chan struct{})
	rc.answer = func(call int, id string) int {
		if call == 20 {
			<-release // longer than the request timeout
		}
		if call <= 15 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	defer close(release)
	out := t.TempDir()
	want := eventstest.Append(t, out, "cam", 0, 100)
	reg := deliver(t, out, webhook.Config{URL: srv.URL, Secret: secret, Timeout: 200 * time.Millisecond})
	waitFor(t, "every event", func() bool { ids, _ := rc.got(); return len(eventstest.Missing(ids, want)) == 0 })
	ids, calls := rc.got()
	eventstest.CheckAll(t, ids, want)
	if r := metric(t, reg, "framewire_delivery_retries_total"); r < 16 {
		t.Errorf("framewire_delivery_retries_total = %v after 15 answers 503 and a timeout, want >= 16", r)
	}
	t.Logf("%d events, %d requests", len(want), calls)
}

func TestRefusedEventIsSkippedCountedAndTheRestArrive(t *testing.T) {
	rc := &receiver{t: t}
	bad := eventstest.ID("cam", 2)
	rc.answer = func(_ int, id string) int {
		if id == bad {
			return http.StatusUnprocessableEntity
		}
		return http.StatusOK
	}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	out := t.TempDir()
	want := eventstest.Append(t, out, "cam", 0, 6)
	reg := deliver(t, out, webhook.Config{URL: srv.URL, Secret: secret})
	waitFor(t, "the accepted events", func() bool { ids, _ := rc.got(); return len(ids) >= 5 })
	ids, calls := rc.got()
	eventstest.CheckAll(t, ids, append(want[:2:2], want[3:]...))
	if calls != 6 {
		t.Errorf("%d requests, want 6: the refused event is not sent again", calls)
	}
	waitFor(t, "the rejected counter", func() bool { return metric(t, reg, "framewire_delivery_rejected_events_total") == 1 })
}

func TestSignMatchesAKnownValue(t *testing.T) {
	// printf '{"id":"a"}' | openssl dgst -sha256 -hmac key
	want := "sha256=5639c1cb16d1b599fedbc21d6392a596942a6b171b1be9e0fd60014bbb7ba483"
	if got := webhook.Sign([]byte("key"), []byte(`{"id":"a"}`)); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

// BenchmarkDeliver measures events a second from events.jsonl to a local
// endpoint, one signed POST each.
func BenchmarkDeliver(b *testing.B) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { mu.Lock(); n++; mu.Unlock() }))
	defer srv.Close()
	out := b.TempDir()
	eventstest.Append(b, out, "cam", 0, b.N)
	b.ResetTimer()
	deliver(b, out, webhook.Config{URL: srv.URL, Secret: secret})
	for {
		mu.Lock()
		done := n >= b.N
		mu.Unlock()
		if done {
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

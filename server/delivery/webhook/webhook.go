// Package webhook POSTs events to an HTTP endpoint, one event a request,
// signed with HMAC-SHA256: an event counts as delivered once the
// endpoint answered 2xx.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/framewire/framewire/internal/redact"
	"github.com/framewire/framewire/server/delivery"
)

// Headers of every request.
const (
	// IDHeader holds the event's id: a receiver that sees one twice has
	// the event already.
	IDHeader = "X-Framewire-Event-Id"
	// SignatureHeader holds "sha256=" and the hex HMAC-SHA256 of the body
	// with the secret (only with a secret).
	SignatureHeader = "X-Framewire-Signature"
)

// DefaultTimeout bounds one request, its answer included.
const DefaultTimeout = 10 * time.Second

// Config says where to POST and how.
type Config struct {
	// URL is the endpoint, http:// or https://.
	URL string
	// Secret signs each body; empty = no signature header.
	Secret string
	// Timeout bounds one request (0 = DefaultTimeout).
	Timeout time.Duration
	// TLS is used for https (nil = the system's CAs).
	TLS *tls.Config
}

// Sink POSTs events; see Deliver.
type Sink struct {
	url    string
	secret []byte
	client *http.Client
}

var _ delivery.Sink = (*Sink)(nil)

// New checks cfg.
func New(cfg Config) (*Sink, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--webhook %q: want an http:// or https:// URL", redact.Source(cfg.URL))
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg.TLS
	client := &http.Client{Timeout: cfg.Timeout, Transport: tr,
		// A redirect is answered, not followed: the event is not sent
		// (signed) somewhere else, nor turned into a GET.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Sink{url: cfg.URL, secret: []byte(cfg.Secret), client: client}, nil
}

// Kind is "webhook".
func (s *Sink) Kind() string { return "webhook" }

// Deliver POSTs evs one by one, in order, and stops at the first that
// does not get a 2xx. A 408, 429, 5xx, timeout or connection error is
// worth retrying; another answer (a 4xx, a redirect not followed) is the
// endpoint's refusal for good: an error wrapping delivery.ErrRejected.
func (s *Sink) Deliver(ctx context.Context, evs []delivery.Event) (int, error) {
	for i, ev := range evs {
		if err := s.post(ctx, ev); err != nil {
			return i, fmt.Errorf("POST event %s to the webhook: %w", ev.ID, err)
		}
	}
	return len(evs), nil
}

// post sends ev and reads the answer.
func (s *Sink) post(ctx context.Context, ev delivery.Event) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(ev.Line))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "framewire-server")
	req.Header.Set(IDHeader, ev.ID)
	if len(s.secret) > 0 {
		req.Header.Set(SignatureHeader, Sign(s.secret, ev.Line))
	}
	resp, err := s.client.Do(req)
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // without the URL, whose query may hold a token
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // reuse the connection
	return statusError(resp.StatusCode)
}

// statusError is nil for a 2xx, an error worth retrying for 408, 429 and
// 5xx, and a rejection for the rest.
func statusError(code int) error {
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return fmt.Errorf("answered %d %s", code, http.StatusText(code))
	}
	return fmt.Errorf("%w: answered %d %s", delivery.ErrRejected, code, http.StatusText(code))
}

// Sign is the signature header's value of body with secret:
// "sha256=" and the hex HMAC-SHA256.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify says whether signature is body's with secret, in constant time:
// what a receiver written in Go checks.
func Verify(secret, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}

// Close closes idle connections.
func (s *Sink) Close() error {
	s.client.CloseIdleConnections()
	return nil
}

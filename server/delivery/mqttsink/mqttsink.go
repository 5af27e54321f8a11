// Package mqttsink publishes events to an MQTT broker with QoS 1: an
// event counts as delivered once the broker acknowledged it (PUBACK).
package mqttsink

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/framewire/framewire/server/delivery"
)

// DefaultTopic is the topic template: {stream} and {kind} are replaced by
// the event's.
const DefaultTopic = "framewire/{stream}/events"

// DefaultTimeout bounds connecting and waiting for one PUBACK.
const DefaultTimeout = 10 * time.Second

// Config says where and how to publish.
type Config struct {
	// URL is mqtt://[user:pass@]host[:1883] or mqtts://...[:8883].
	URL string
	// Topic is the template of the topic (empty = DefaultTopic).
	Topic string
	// OccupancyTopic is the template of the zones' retained occupancy
	// topics (Occupancy; DefaultOccupancyTopic is the command's default);
	// empty: none are published.
	OccupancyTopic string
	// ClientID names the session; stable per server.
	ClientID string
	// Username and Password, when set, win over the URL's.
	Username, Password string
	// TLS is used for mqtts (nil = the system's CAs).
	TLS *tls.Config
	// Timeout bounds a connection attempt and the wait for a PUBACK
	// (0 = DefaultTimeout).
	Timeout time.Duration
}

// Sink publishes events; see Deliver.
type Sink struct {
	client  mqtt.Client
	topic   string
	timeout time.Duration
}

var _ delivery.Sink = (*Sink)(nil)

// New checks cfg; the broker is connected to by the first Deliver.
func New(cfg Config) (*Sink, error) {
	opts, err := clientOptions(cfg)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(cfg.Topic, "+#") {
		return nil, fmt.Errorf("--mqtt-topic %q: '+' and '#' are for subscribers, not a topic to publish on", cfg.Topic)
	}
	return &Sink{client: mqtt.NewClient(opts), topic: cmp.Or(cfg.Topic, DefaultTopic), timeout: cmp.Or(cfg.Timeout, DefaultTimeout)}, nil
}

// clientOptions are paho's options of cfg. The session is clean: the
// outbox, not the broker's session state, carries what is not yet
// acknowledged, and a clean session leaves no state on the broker for a
// publisher that subscribes to nothing. Reconnecting is Deliver's, with
// the Deliverer's backoff, not paho's.
func clientOptions(cfg Config) (*mqtt.ClientOptions, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil { // its text may hold the password: not repeated
		return nil, errors.New("--mqtt is not a URL: want mqtt://[user:pass@]host[:port] or mqtts://...")
	}
	broker, err := brokerAddress(u)
	if err != nil {
		return nil, err
	}
	cfg.Timeout = cmp.Or(cfg.Timeout, DefaultTimeout)
	opts := mqtt.NewClientOptions().AddBroker(broker).SetClientID(cfg.ClientID).
		SetCleanSession(true).SetAutoReconnect(false).SetConnectRetry(false).
		SetConnectTimeout(cfg.Timeout).SetWriteTimeout(cfg.Timeout).
		SetKeepAlive(30 * time.Second).SetPingTimeout(cfg.Timeout).SetOrderMatters(true)
	user, pass := u.User.Username(), ""
	if p, ok := u.User.Password(); ok {
		pass = p
	}
	opts.SetUsername(cmp.Or(cfg.Username, user)).SetPassword(cmp.Or(cfg.Password, pass))
	if u.Scheme == "mqtts" {
		opts.SetTLSConfig(orDefaultTLS(cfg.TLS))
	}
	return opts, nil
}

// brokerAddress is u in paho's terms, without credentials: tcp://host:port
// or ssl://host:port.
func brokerAddress(u *url.URL) (string, error) {
	scheme, port := "", ""
	switch u.Scheme {
	case "mqtt", "tcp":
		scheme, port = "tcp", "1883"
	case "mqtts", "ssl":
		scheme, port = "ssl", "8883"
	default:
		return "", fmt.Errorf("--mqtt URL: scheme %q, want mqtt:// or mqtts://", u.Scheme)
	}
	if u.Hostname() == "" {
		return "", errors.New("--mqtt URL names no host")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	return scheme + "://" + joinHostPort(u.Hostname(), port), nil
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

func orDefaultTLS(c *tls.Config) *tls.Config {
	if c == nil {
		return &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return c
}

// Kind is "mqtt".
func (s *Sink) Kind() string { return "mqtt" }

// Topic is the topic of ev.
func (s *Sink) Topic(ev delivery.Event) string {
	return strings.NewReplacer("{stream}", ev.Stream, "{kind}", ev.Kind).Replace(s.topic)
}

// Deliver connects when not connected, publishes evs with QoS 1 (all of
// them at once, in order), and waits for their PUBACKs in order. A
// publish that fails or is not acknowledged in time drops the connection,
// so that the next Deliver starts on a new one.
func (s *Sink) Deliver(ctx context.Context, evs []delivery.Event) (int, error) {
	if err := s.connect(ctx); err != nil {
		return 0, err
	}
	tokens := make([]mqtt.Token, len(evs))
	for i, ev := range evs {
		tokens[i] = s.client.Publish(s.Topic(ev), 1, false, ev.Line)
	}
	for i, t := range tokens {
		if err := s.wait(ctx, t); err != nil {
			s.client.Disconnect(0)
			return i, fmt.Errorf("publish event %s to the MQTT broker: %w", evs[i].ID, err)
		}
	}
	return len(evs), nil
}

// connect connects to the broker unless connected.
func (s *Sink) connect(ctx context.Context) error {
	if s.client.IsConnectionOpen() {
		return nil
	}
	if err := s.wait(ctx, s.client.Connect()); err != nil {
		s.client.Disconnect(0)
		return fmt.Errorf("connect to the MQTT broker: %w", err)
	}
	return nil
}

// wait waits for t, at most the timeout, or until ctx ends.
func (s *Sink) wait(ctx context.Context, t mqtt.Token) error {
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case <-t.Done():
		return t.Error()
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return fmt.Errorf("no answer in %v", s.timeout)
	}
}

// Close disconnects, waiting a little for what is in flight.
func (s *Sink) Close() error {
	if s.client.IsConnected() {
		s.client.Disconnect(250)
	}
	return nil
}

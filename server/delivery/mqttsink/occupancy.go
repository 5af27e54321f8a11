package mqttsink

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/framewire/framewire/internal/backoff"
	"github.com/framewire/framewire/proto/record"
)

// DefaultOccupancyTopic is the template of a zone's occupancy topic:
// {stream} and {zone} are replaced by the stream's and the zone's names.
const DefaultOccupancyTopic = "framewire/{stream}/zones/{zone}/occupancy"

// Occupancy publishes each zone's latest occupancy, retained, with QoS
// 1, on a connection of its own, so that a subscriber that comes late
// gets the zone's occupancy now from the broker. Only the latest value of
// a topic matters: Publish never blocks, and a newer value replaces one
// not yet acknowledged (at most one pending value per zone of the
// streams counted). While the broker is down the values wait, retried
// with backoff; once it is back the latest of each goes out.
type Occupancy struct {
	conn   *Sink
	topic  string
	policy backoff.Policy
	log    *slog.Logger

	mu      sync.Mutex
	pending map[string][]byte // topic: the latest payload not yet acknowledged
	wake    chan struct{}     // one pending wake-up at most
}

// NewOccupancy publishes to cfg's broker (as cfg.ClientID + "-occupancy")
// on topics of the template cfg.OccupancyTopic ("" = DefaultOccupancyTopic),
// retrying by policy; log hears failures and recoveries (nil = nothing).
func NewOccupancy(cfg Config, policy backoff.Policy, log *slog.Logger) (*Occupancy, error) {
	topic := cmp.Or(cfg.OccupancyTopic, DefaultOccupancyTopic)
	if strings.ContainsAny(topic, "+#") {
		return nil, fmt.Errorf("--mqtt-occupancy-topic %q: '+' and '#' are for subscribers, not a topic to publish on", topic)
	}
	cfg.ClientID += "-occupancy"
	conn, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Occupancy{conn: conn, topic: topic, policy: policy, log: log.With("sink", "mqtt-occupancy"),
		pending: map[string][]byte{}, wake: make(chan struct{}, 1)}, nil
}

// Topic is the topic of stream's zone.
func (o *Occupancy) Topic(stream, zone string) string {
	return strings.NewReplacer("{stream}", stream, "{zone}", zone).Replace(o.topic)
}

// Publish sets occ as its zone's latest occupancy, to be published by
// Run; it never blocks.
func (o *Occupancy) Publish(occ record.Occupancy) {
	b, _ := json.Marshal(occ) // plain fields: cannot fail
	o.set(o.Topic(occ.Stream, occ.Zone), b)
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// set makes b topic's pending value.
func (o *Occupancy) set(topic string, b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pending[topic] = b
}

// Run publishes what Publish set until ctx ends: at once, or after a
// backoff while the broker fails. When ctx ends with values pending and
// the broker answering, they get one last try, of at most the timeout.
func (o *Occupancy) Run(ctx context.Context) {
	failures := 0
	for ctx.Err() == nil {
		var wait <-chan time.Time
		wake := o.wake
		if failures > 0 {
			wait, wake = time.After(o.policy.Wait(failures)), nil
		}
		select {
		case <-ctx.Done():
			continue
		case <-wait:
		case <-wake:
		}
		if err := o.flush(ctx); ctx.Err() == nil {
			failures = o.noteOutcome(failures, err)
		}
	}
	if failures == 0 {
		o.lastFlush()
	}
}

// lastFlush publishes what is pending, within the timeout.
func (o *Occupancy) lastFlush() {
	ctx, cancel := context.WithTimeout(context.Background(), o.conn.timeout)
	defer cancel()
	_ = o.flush(ctx) // what fails now goes out at the stream's next open
}

// noteOutcome counts failures in a row and logs the first and the
// recovery.
func (o *Occupancy) noteOutcome(failures int, err error) int {
	switch {
	case err == nil && failures > 0:
		o.log.Info("zone occupancy publishing resumed", "failed_attempts", failures)
	case err != nil && failures == 0:
		o.log.Warn("zone occupancy publishing failing; retrying with backoff (the latest values go out)", "err", err)
	}
	if err != nil {
		return failures + 1
	}
	return 0
}

// flush publishes the pending values, retained, and waits for their
// PUBACKs; those not acknowledged are pending again, unless a newer value
// came meanwhile.
func (o *Occupancy) flush(ctx context.Context) error {
	o.mu.Lock()
	batch := o.pending
	o.pending = map[string][]byte{}
	o.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := o.publish(ctx, batch)
	o.mu.Lock()
	defer o.mu.Unlock()
	for topic, b := range batch {
		if _, newer := o.pending[topic]; !newer {
			o.pending[topic] = b
		}
	}
	return err
}

// publish sends batch, retained, QoS 1, and deletes from it each value
// the broker acknowledged.
func (o *Occupancy) publish(ctx context.Context, batch map[string][]byte) error {
	if err := o.conn.connect(ctx); err != nil {
		return err
	}
	topics := slices.Sorted(maps.Keys(batch))
	tokens := make([]mqtt.Token, len(topics))
	for i, topic := range topics {
		tokens[i] = o.conn.client.Publish(topic, 1, true, batch[topic])
	}
	for i, t := range tokens {
		if err := o.conn.wait(ctx, t); err != nil {
			o.conn.client.Disconnect(0)
			return fmt.Errorf("publish the occupancy on %s to the MQTT broker: %w", topics[i], err)
		}
		delete(batch, topics[i])
	}
	return nil
}

// Close disconnects.
func (o *Occupancy) Close() error { return o.conn.Close() }

package mosquittotest

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// Subscriber collects the ids of the events published on a topic filter,
// in the order they arrive. Its session is persistent (clean session
// false, QoS 1) and it reconnects by itself, so that what the broker
// took while it was away reaches it when it is back.
type Subscriber struct {
	client mqtt.Client
	mu     sync.Mutex
	ids    []string
	topics map[string]string // the topic each id came on
	last   map[string]Message
	first  map[string]time.Time // when each id first came
}

// Message is a message as received.
type Message struct {
	Payload []byte
	// Retained says the broker kept it from before the subscription.
	Retained bool
}

// Subscribe connects to b as clientID and subscribes to filter with QoS 1.
func Subscribe(tb testing.TB, b *Broker, clientID, filter string) *Subscriber {
	tb.Helper()
	s := &Subscriber{topics: map[string]string{}, last: map[string]Message{}, first: map[string]time.Time{}}
	opts := mqtt.NewClientOptions().AddBroker("tcp://" + b.URL()[len("mqtt://"):]).SetClientID(clientID).
		SetCleanSession(false).SetAutoReconnect(true).SetMaxReconnectInterval(200 * time.Millisecond).
		SetConnectRetry(true).SetConnectRetryInterval(100 * time.Millisecond).SetOrderMatters(true).
		SetUsername(b.User).SetPassword(b.Password)
	opts.SetOnConnectHandler(func(c mqtt.Client) {
		c.Subscribe(filter, 1, s.receive) // after a broker restart too
	})
	s.client = mqtt.NewClient(opts)
	if t := s.client.Connect(); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
		tb.Fatalf("subscriber cannot connect: %v", t.Error())
	}
	tb.Cleanup(func() { s.client.Disconnect(100) })
	if t := s.client.Subscribe(filter, 1, s.receive); !t.WaitTimeout(10*time.Second) || t.Error() != nil {
		tb.Fatalf("subscriber cannot subscribe to %s: %v", filter, t.Error())
	}
	return s
}

func (s *Subscriber) receive(_ mqtt.Client, m mqtt.Message) {
	var ev struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(m.Payload(), &ev)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last[m.Topic()] = Message{Payload: m.Payload(), Retained: m.Retained()}
	if ev.ID != "" {
		s.event(ev.ID, m.Topic())
	}
}

// event notes event id's arrival on topic; s.mu is held.
func (s *Subscriber) event(id, topic string) {
	if _, seen := s.first[id]; !seen {
		s.first[id] = time.Now()
	}
	s.ids = append(s.ids, id)
	s.topics[id] = topic
}

// Arrived is when id first came; ok is false when it did not.
func (s *Subscriber) Arrived(id string) (at time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok = s.first[id]
	return at, ok
}

// Last is the last message received on topic; ok is false when none came.
func (s *Subscriber) Last(topic string) (m Message, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok = s.last[topic]
	return m, ok
}

// IDs are the ids received so far, repeats included.
func (s *Subscriber) IDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.ids...)
}

// Topic is the topic id came on.
func (s *Subscriber) Topic(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.topics[id]
}

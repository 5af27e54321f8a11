package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"strings"
	"time"

	"github.com/framewire/framewire/internal/certpool"
	"github.com/framewire/framewire/server/delivery/mqttsink"
	"github.com/framewire/framewire/server/delivery/webhook"
)

// deliveryOptions are the flags of event delivery: the MQTT broker and
// the webhook that receive every stream's events.
type deliveryOptions struct {
	mqtt, mqttTopic, mqttClientID string
	mqttOccupancyTopic            string
	mqttUser, mqttPassword        string
	mqttCA                        string
	mqttTimeout                   time.Duration
	webhook, webhookSecret        string
	webhookCA                     string
	webhookTimeout                time.Duration
	retryMax                      time.Duration
}

func deliveryFlags(fs *flag.FlagSet, d *deliveryOptions) {
	fs.StringVar(&d.mqtt, "mqtt", "", "publish every stream's events (<out>/<stream>/events.jsonl), QoS 1, at least once, to the MQTT broker at this `URL`: mqtt://[user:pass@]host[:1883] or mqtts://...[:8883] (see docs/delivery.md)")
	fs.StringVar(&d.mqttTopic, "mqtt-topic", mqttsink.DefaultTopic, "MQTT topic `template` of the events: {stream} and {kind} are replaced by the event's")
	fs.StringVar(&d.mqttOccupancyTopic, "mqtt-occupancy-topic", mqttsink.DefaultOccupancyTopic, "MQTT topic `template` of each zone's occupancy, published retained (QoS 1) whenever it changes: {stream} and {zone} are replaced by their names; empty: none")
	fs.StringVar(&d.mqttClientID, "mqtt-client-id", "", "MQTT client `id` (default: framewire-<host>-<hash of --out>, the same across restarts)")
	fs.StringVar(&d.mqttUser, "mqtt-username", "", "MQTT user `name` (wins over the URL's)")
	fs.StringVar(&d.mqttPassword, "mqtt-password", "", "MQTT password (wins over the URL's; better from the environment than the command line)")
	fs.StringVar(&d.mqttCA, "mqtt-ca", "", "verify an mqtts:// broker against the CAs in this PEM `file` (default: the system's CAs)")
	fs.DurationVar(&d.mqttTimeout, "mqtt-timeout", mqttsink.DefaultTimeout, "longest wait for the broker's connection or an event's PUBACK before retrying")
	fs.StringVar(&d.webhook, "webhook", "", "POST every stream's events, one JSON event a request, to this `URL`, at least once, retrying 408, 429, 5xx and timeouts with backoff (see docs/delivery.md)")
	fs.StringVar(&d.webhookSecret, "webhook-secret", "", "sign each webhook body: X-Framewire-Signature: sha256=<hex HMAC-SHA256 of the body with this secret>")
	fs.StringVar(&d.webhookCA, "webhook-ca", "", "verify an https:// webhook against the CAs in this PEM `file` (default: the system's CAs)")
	fs.DurationVar(&d.retryMax, "delivery-retry-max", 10*time.Second, "longest wait between two attempts while the MQTT broker or the webhook fails (from 100 ms, doubling, jittered)")
	fs.DurationVar(&d.webhookTimeout, "webhook-timeout", webhook.DefaultTimeout, "deadline of one webhook request, its answer included")
}

// check refuses delivery flags that cannot work.
func (d *deliveryOptions) check() error {
	switch {
	case d.mqttCA != "" && !strings.HasPrefix(d.mqtt, "mqtts://"):
		return errors.New("--mqtt-ca is for an mqtts:// --mqtt")
	case d.webhookCA != "" && !strings.HasPrefix(d.webhook, "https://"):
		return errors.New("--webhook-ca is for an https:// --webhook")
	case d.mqttTimeout <= 0 || d.webhookTimeout <= 0 || d.retryMax <= 0:
		return errors.New("--mqtt-timeout, --webhook-timeout and --delivery-retry-max must be positive")
	}
	return nil
}

// configs are the sinks' configurations (their URLs empty when not asked
// for).
func (d *deliveryOptions) configs() (mqttsink.Config, webhook.Config, error) {
	mc := mqttsink.Config{URL: d.mqtt, Topic: d.mqttTopic, OccupancyTopic: d.mqttOccupancyTopic, ClientID: d.mqttClientID,
		Username: d.mqttUser, Password: d.mqttPassword, Timeout: d.mqttTimeout}
	wc := webhook.Config{URL: d.webhook, Secret: d.webhookSecret, Timeout: d.webhookTimeout}
	var err error
	if mc.TLS, err = caTLS(d.mqttCA); err != nil {
		return mc, wc, err
	}
	wc.TLS, err = caTLS(d.webhookCA)
	return mc, wc, err
}

// caTLS verifies servers against the CAs in file; nil (the system's CAs)
// without a file.
func caTLS(file string) (*tls.Config, error) {
	if file == "" {
		return nil, nil
	}
	pool, err := certpool.Load(file)
	if err != nil {
		return nil, err
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/framewire/framewire/internal/backoff"
	"github.com/framewire/framewire/server/delivery"
	"github.com/framewire/framewire/server/delivery/mqttsink"
	"github.com/framewire/framewire/server/delivery/webhook"
	"github.com/framewire/framewire/server/monitor"
)

// newDeliverer builds the event delivery of cfg's sinks, its metrics
// registered with mon; nil when no sink is configured.
func newDeliverer(cfg Config, mon *monitor.Monitor) (*delivery.Deliverer, error) {
	sinks, err := eventSinks(cfg)
	if err != nil || len(sinks) == 0 {
		return nil, err
	}
	d, err := delivery.New(delivery.Config{OutDir: cfg.OutDir, Sinks: sinks, Log: cfg.Log,
		Backoff: backoff.Policy{Max: cfg.DeliveryRetryMax}})
	if err != nil {
		return nil, err
	}
	if err := mon.Register(d.Collectors()...); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// eventSinks are the sinks cfg asks for.
func eventSinks(cfg Config) ([]delivery.Sink, error) {
	var sinks []delivery.Sink
	if cfg.MQTT.URL != "" {
		mc := cfg.MQTT
		if mc.ClientID == "" {
			mc.ClientID = DefaultMQTTClientID(cfg.OutDir)
		}
		s, err := mqttsink.New(mc)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, s)
	}
	if cfg.Webhook.URL != "" {
		s, err := webhook.New(cfg.Webhook)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, s)
	}
	return sinks, nil
}

// DefaultMQTTClientID is the MQTT client id of a server writing to
// outDir: the same across restarts, another for another machine or
// folder: "framewire-<host>-<8 hex digits of the folder's path>".
func DefaultMQTTClientID(outDir string) string {
	host, _ := os.Hostname()
	abs, err := filepath.Abs(outDir)
	if err != nil {
		abs = outDir
	}
	sum := sha256.Sum256([]byte(abs))
	id := "framewire-" + host + "-" + hex.EncodeToString(sum[:4])
	if len(id) > 64 {
		id = id[len(id)-64:]
	}
	return id
}

// startDelivery runs the event delivery, if any, until the returned stop
// is called; stop waits for it to end.
func (s *Server) startDelivery() (stop func()) {
	if s.delivery == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.delivery.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

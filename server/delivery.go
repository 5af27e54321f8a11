package server

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"

	"github.com/framewire/framewire/internal/backoff"
	"github.com/framewire/framewire/server/delivery"
	"github.com/framewire/framewire/server/delivery/mqttsink"
	"github.com/framewire/framewire/server/delivery/webhook"
	"github.com/framewire/framewire/server/monitor"
	"github.com/framewire/framewire/server/service/eventstage"
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

// newDelivery builds the event delivery of s.cfg's sinks and the zones'
// occupancy publisher, if any.
func (s *Server) newDelivery() error {
	var err error
	if s.delivery, err = newDeliverer(s.cfg, s.mon); err != nil {
		return err
	}
	mc := s.cfg.MQTT
	if mc.URL == "" || mc.OccupancyTopic == "" {
		return nil
	}
	mc.ClientID = cmp.Or(mc.ClientID, DefaultMQTTClientID(s.cfg.OutDir))
	if s.occupancy, err = mqttsink.NewOccupancy(mc, backoff.Policy{Max: s.cfg.DeliveryRetryMax}, s.cfg.Log); err != nil {
		s.closeDelivery()
	}
	return err
}

// eventHooks tell the delivery about what counting writes: new events
// wake the Deliverer, so that they go out at once rather than at its next
// poll, and zones' occupancy goes to its topics.
func (s *Server) eventHooks() eventstage.Hooks {
	var h eventstage.Hooks
	if s.delivery != nil {
		h.Written = s.delivery.Notify
	}
	if s.occupancy != nil {
		h.Occupancy = s.occupancy.Publish
	}
	return h
}

// startDelivery runs the event delivery and the occupancy publisher, if
// any, until the returned stop is called; stop waits for them to end.
func (s *Server) startDelivery() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if s.delivery != nil {
		wg.Go(func() { s.delivery.Run(ctx) })
	}
	if s.occupancy != nil {
		wg.Go(func() { s.occupancy.Run(ctx) })
	}
	return func() {
		cancel()
		wg.Wait()
	}
}

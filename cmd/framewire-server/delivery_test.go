package main

import (
	"io"
	"strings"
	"testing"

	"github.com/framewire/framewire/internal/cli"
	"github.com/framewire/framewire/server/delivery/mqttsink"
)

func TestDeliveryFlags(t *testing.T) {
	t.Setenv("FRAMEWIRE_SERVER_MQTT_PASSWORD", "from-env")
	t.Setenv("FRAMEWIRE_SERVER_WEBHOOK_SECRET", "hook-secret")
	o, err := parseFlags([]string{"--mqtt", "mqtt://broker:1883", "--mqtt-topic", "site/{stream}", "--webhook", "http://hooks/x"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	mc, wc, err := o.delivery.configs()
	if err != nil {
		t.Fatal(err)
	}
	if mc.URL != "mqtt://broker:1883" || mc.Topic != "site/{stream}" || mc.Password != "from-env" || wc.Secret != "hook-secret" || wc.URL != "http://hooks/x" {
		t.Errorf("got %+v and %+v, want the flags and the password and secret from the environment", mc, wc)
	}
	if mc.OccupancyTopic != mqttsink.DefaultOccupancyTopic {
		t.Errorf("occupancy topic %q, want %q by default", mc.OccupancyTopic, mqttsink.DefaultOccupancyTopic)
	}
	if o, err := parseFlags([]string{"--mqtt", "mqtt://broker", "--mqtt-occupancy-topic="}, io.Discard); err != nil || o.delivery.mqttOccupancyTopic != "" {
		t.Errorf("--mqtt-occupancy-topic= gave %v, %+v; want no occupancy topic", err, o)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--mqtt", "mqtt://broker", "--mqtt-ca", "ca.pem"}, "--mqtt-ca is for an mqtts://"},
		{[]string{"--webhook", "http://hooks", "--webhook-ca", "ca.pem"}, "--webhook-ca is for an https://"},
		{[]string{"--delivery-retry-max", "0s"}, "must be positive"},
		{[]string{"--count-checkpoint-every", "-1"}, "--count-checkpoint-every must not be negative"},
	} {
		_, err := parseFlags(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) || cli.ExitCode(err) != cli.ExitUsage {
			t.Errorf("%q: got %v, want a usage error with %q", c.args, err, c.want)
		}
	}
}

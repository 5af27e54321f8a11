package main

import (
	"context"
	"fmt"
	"io"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/framewire/framewire/stream/dial"
)

// probeHealth asks the server at --health-probe for its overall health
// (over TLS when asked) and returns nil only when it is SERVING, within
// 3 s. Any other answer is an error (exit status 1).
func probeHealth(ctx context.Context, o *options, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := dial.Dial(o.healthProbe, dial.Config{TLS: o.probeTLS, CAFile: o.probeCA, ServerName: o.probeName})
	if err != nil {
		return fmt.Errorf("health probe %s: %w", o.healthProbe, err)
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return fmt.Errorf("health probe %s: %w", o.healthProbe, err)
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("health probe %s: %s", o.healthProbe, resp.GetStatus())
	}
	fmt.Fprintln(stdout, "SERVING")
	return nil
}

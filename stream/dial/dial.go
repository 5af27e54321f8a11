// Package dial connects a client to framewire servers: TLS, client
// certificates, a bearer token, and round robin over several addresses.
package dial

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"

	"github.com/framewire/framewire/internal/certpool"
	"github.com/framewire/framewire/proto/framecodec"
)

// Config describes how a client reaches the server.
type Config struct {
	// CAFile turns on TLS and verifies the server against these PEM CAs;
	// TLS alone (no CAFile) verifies against the system's roots.
	TLS    bool
	CAFile string
	// CertFile and KeyFile present a client certificate (mutual TLS).
	CertFile, KeyFile string
	// ServerName overrides the name checked in the server's certificate.
	ServerName string
	// Token is sent as "authorization: Bearer <token>" on every call.
	Token string
	// MaxMsgBytes bounds messages both ways (0 = gRPC's defaults).
	MaxMsgBytes int
}

// Dial returns a connection to addr as cfg says. It does not wait for the
// server: the first call does, and fails when the server cannot be
// reached. Keepalive pings every 30 s while a call is
// open notice a dead connection within 40 s.
//
// addr is host:port, several of them separated by commas (servers that
// share one output folder), or a gRPC target such as dns:///host:port
// (every address the name resolves to). With several addresses each call
// goes to a live one, round-robin, so a call that broke with its server
// reconnects to another.
func Dial(addr string, cfg Config) (*grpc.ClientConn, error) {
	target, opts, err := resolveTarget(addr)
	if err != nil {
		return nil, err
	}
	dialOpts, err := dialOptions(cfg)
	if err != nil {
		return nil, err
	}
	conn, err := grpc.NewClient(target, append(opts, dialOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	return conn, nil
}

// roundRobin spreads calls over the ready addresses.
const roundRobin = `{"loadBalancingConfig": [{"round_robin": {}}]}`

// resolveTarget turns addr into a gRPC target and the options it needs.
func resolveTarget(addr string) (string, []grpc.DialOption, error) {
	if strings.Contains(addr, "://") {
		return addr, []grpc.DialOption{grpc.WithDefaultServiceConfig(roundRobin)}, nil
	}
	hosts := strings.Split(addr, ",")
	if len(hosts) == 1 {
		return addr, nil, nil
	}
	var state resolver.State
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		host, _, err := net.SplitHostPort(h)
		if err != nil {
			return "", nil, fmt.Errorf("server address %q: %w", h, err)
		}
		state.Addresses = append(state.Addresses, resolver.Address{Addr: h, ServerName: host})
	}
	r := manual.NewBuilderWithScheme("framewire")
	r.InitialState(state)
	return r.Scheme() + ":///servers", []grpc.DialOption{grpc.WithResolvers(r), grpc.WithDefaultServiceConfig(roundRobin)}, nil
}

// connectParams space the connection attempts to a server that cannot
// be reached: gRPC's default schedule, but never more than 5 s apart
// (instead of 2 minutes), so that a client waiting for a server, or
// reconnecting after a restart, finds it soon after it is up.
func connectParams() grpc.ConnectParams {
	return grpc.ConnectParams{
		Backoff:           backoff.Config{BaseDelay: time.Second, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 5 * time.Second},
		MinConnectTimeout: 20 * time.Second,
	}
}

// dialOptions are the credentials, keepalive, limits and token of cfg.
func dialOptions(cfg Config) ([]grpc.DialOption, error) {
	creds := insecure.NewCredentials()
	if cfg.TLS || cfg.CAFile != "" || cfg.CertFile != "" {
		tc := &tls.Config{ServerName: cfg.ServerName, MinVersion: tls.VersionTLS12}
		if cfg.CAFile != "" {
			pool, err := certpool.Load(cfg.CAFile)
			if err != nil {
				return nil, err
			}
			tc.RootCAs = pool
		}
		if cfg.CertFile != "" || cfg.KeyFile != "" {
			cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("load client certificate %s and key %s: %w", cfg.CertFile, cfg.KeyFile, err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		creds = credentials.NewTLS(tc)
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.WithConnectParams(connectParams()),
		// A large frame's data is sent from the frame's own slice.
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(framecodec.New())),
	}
	if cfg.MaxMsgBytes > 0 {
		opts = append(opts, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(cfg.MaxMsgBytes), grpc.MaxCallSendMsgSize(cfg.MaxMsgBytes)))
	}
	if cfg.Token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer(cfg.Token)))
	}
	return opts, nil
}

// bearer sends a token with every call. It is allowed without TLS so that
// loopback set-ups work; across a network use TLS.
type bearer string

func (b bearer) GetRequestMetadata(ctx context.Context, uri ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (b bearer) RequireTransportSecurity() bool { return false }

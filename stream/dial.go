package stream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
)

// DialConfig describes how a client reaches the server.
type DialConfig struct {
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
// server: the first call does. Keepalive pings every 30 s while a call is
// open notice a dead connection within 40 s.
func Dial(addr string, cfg DialConfig) (*grpc.ClientConn, error) {
	creds := insecure.NewCredentials()
	if cfg.TLS || cfg.CAFile != "" || cfg.CertFile != "" {
		tc := &tls.Config{ServerName: cfg.ServerName, MinVersion: tls.VersionTLS12}
		if cfg.CAFile != "" {
			pool, err := LoadCertPool(cfg.CAFile)
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
	}
	if cfg.MaxMsgBytes > 0 {
		opts = append(opts, grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(cfg.MaxMsgBytes), grpc.MaxCallSendMsgSize(cfg.MaxMsgBytes)))
	}
	if cfg.Token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer(cfg.Token)))
	}
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	return conn, nil
}

// bearer sends a token with every call. It is allowed without TLS so that
// loopback set-ups work; across a network use TLS.
type bearer string

func (b bearer) GetRequestMetadata(ctx context.Context, uri ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (b bearer) RequireTransportSecurity() bool { return false }

// LoadCertPool reads PEM certificates from file.
func LoadCertPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", file)
	}
	return pool, nil
}

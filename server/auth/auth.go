// Package auth checks who may call: the bearer token on gRPC calls and
// HTTP requests, and the server's TLS configuration (mutual TLS too).
package auth

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/framewire/framewire/internal/certpool"
)

// healthPrefix is the method prefix of the gRPC health service, which
// stays open without a token so that probes and orchestrators work.
const healthPrefix = "/grpc.health.v1.Health/"

// tokenAuth checks "authorization: Bearer <token>" in constant time.
type tokenAuth struct {
	want []byte
}

// TokenInterceptors return interceptors that refuse every call but the
// health service's with Unauthenticated unless it carries the token.
func TokenInterceptors(token string) (grpc.UnaryServerInterceptor, grpc.StreamServerInterceptor) {
	a := tokenAuth{want: []byte("Bearer " + token)}
	unary := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if err := a.check(ctx, info.FullMethod); err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
	streaming := func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if err := a.check(ss.Context(), info.FullMethod); err != nil {
			return err
		}
		return h(srv, ss)
	}
	return unary, streaming
}

// RequireToken serves h only to requests that carry token, as
// "Authorization: Bearer TOKEN" (Prometheus' authorization setting) or as
// the password of HTTP Basic authentication (a browser asks for it; any
// user name). Others get 401. An empty token serves everyone.
func RequireToken(token string, h http.Handler) http.Handler {
	if token == "" {
		return h
	}
	want := []byte(token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare(requestToken(r), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="framewire", charset="UTF-8"`)
			http.Error(w, "this server needs its token: Authorization: Bearer TOKEN, or TOKEN as the Basic password", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// requestToken is the token an HTTP request carries, or nil.
func requestToken(r *http.Request) []byte {
	if _, pass, ok := r.BasicAuth(); ok {
		return []byte(pass)
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return []byte(tok)
	}
	return nil
}

func (a tokenAuth) check(ctx context.Context, method string) error {
	if strings.HasPrefix(method, healthPrefix) {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	got := md.Get("authorization")
	if len(got) != 1 {
		return status.Error(codes.Unauthenticated, "missing bearer token")
	}
	if subtle.ConstantTimeCompare([]byte(got[0]), a.want) != 1 {
		return status.Error(codes.Unauthenticated, "wrong bearer token")
	}
	return nil
}

// ServerTLS loads the server's certificate and key. With clientCAFile it
// also requires client certificates signed by that CA (mutual TLS).
func ServerTLS(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load TLS certificate %s and key %s: %w", certFile, keyFile, err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCAFile != "" {
		pool, err := certpool.Load(clientCAFile)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

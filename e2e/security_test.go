package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/framewire/framewire/internal/capturecmd"
	pb "github.com/framewire/framewire/proto"
	"github.com/framewire/framewire/stream"
	"github.com/framewire/framewire/stream/dial"
	"github.com/framewire/framewire/stream/streamtest"
)

// pki is a CA with a server certificate for 127.0.0.1 and a client
// certificate, as PEM files in a temporary folder.
type pki struct {
	ca, serverCert, serverKey, clientCert, clientKey string
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "framewire test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	issue := func(name string, serial int64, usage x509.ExtKeyUsage, ips []net.IP) (certFile, keyFile string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, _ := x509.MarshalECPrivateKey(key)
		certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
		writePEM(t, certFile, "CERTIFICATE", der)
		writePEM(t, keyFile, "EC PRIVATE KEY", keyDER)
		return certFile, keyFile
	}
	p := pki{ca: filepath.Join(dir, "ca.crt")}
	writePEM(t, p.ca, "CERTIFICATE", caDER)
	p.serverCert, p.serverKey = issue("server", 2, x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")})
	p.clientCert, p.clientKey = issue("client", 3, x509.ExtKeyUsageClientAuth, nil)
	return p
}

func writePEM(t *testing.T, file, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tryCall makes one ImageMeanWH call and one short stream through a
// connection dialled with cfg, returning the first error.
func tryCall(t *testing.T, addr string, cfg dial.Config) error {
	t.Helper()
	conn, err := dial.Dial(addr, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := pb.NewImageProcedureClient(conn)
	px := base64.StdEncoding.EncodeToString(make([]byte, 4*4*3))
	if _, err := c.ImageMeanWH(ctx, &pb.B64Image{B64Image: px, Width: 4, Height: 4}); err != nil {
		return err
	}
	src := streamtest.Frames{{Encoding: pb.Encoding_ENCODING_RAW_BGR, Data: make([]byte, 8*8*3), Width: 8, Height: 8}}
	_, err = stream.NewClient(c).Run(ctx, &src, stream.ClientConfig{Header: &pb.StreamHeader{Name: "secure"}})
	return err
}

func TestTLS(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	s := startServer(t, t.TempDir(), "--model", "mean", "--tls-cert", p.serverCert, "--tls-key", p.serverKey)
	if err := tryCall(t, s.addr, dial.Config{CAFile: p.ca}); err != nil {
		t.Errorf("TLS with the right CA: %v", err)
	}
	if err := tryCall(t, s.addr, dial.Config{}); status.Code(err) != codes.Unavailable {
		t.Errorf("plaintext to a TLS server: %v, want Unavailable", err)
	}
	if err := tryCall(t, s.addr, dial.Config{TLS: true}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("TLS without trusting the CA: %v, want a certificate error", err)
	}
}

func TestMutualTLS(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	s := startServer(t, t.TempDir(), "--model", "mean", "--tls-cert", p.serverCert, "--tls-key", p.serverKey, "--tls-client-ca", p.ca)
	if err := tryCall(t, s.addr, dial.Config{CAFile: p.ca, CertFile: p.clientCert, KeyFile: p.clientKey}); err != nil {
		t.Errorf("mutual TLS with a client certificate: %v", err)
	}
	if err := tryCall(t, s.addr, dial.Config{CAFile: p.ca}); err == nil {
		t.Error("mutual TLS without a client certificate was accepted")
	}
	// A certificate the CA did not sign: the server's own, used as a client's.
	if err := tryCall(t, s.addr, dial.Config{CAFile: p.ca, CertFile: p.serverCert, KeyFile: p.serverKey}); err == nil {
		t.Error("a server certificate was accepted as a client certificate")
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir(), "--model", "mean", "--token", "s3cret")
	if err := tryCall(t, s.addr, dial.Config{Token: "s3cret"}); err != nil {
		t.Errorf("right token: %v", err)
	}
	for _, tok := range []string{"", "wrong", "s3cret2", "s3cre"} {
		if err := tryCall(t, s.addr, dial.Config{Token: tok}); status.Code(err) != codes.Unauthenticated {
			t.Errorf("token %q: %v, want Unauthenticated", tok, err)
		}
	}
	// The health service stays open.
	conn, err := dial.Dial(s.addr, dial.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil || resp.Status != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health without a token: %v %v", resp, err)
	}
}

// TestClientFlagsForTLSAndToken runs the client command against a server
// that wants TLS and a token, the token coming from the environment.
func TestClientFlagsForTLSAndToken(t *testing.T) {
	// Not parallel: t.Setenv changes the environment of every test.
	const megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi"
	needFile(t, megamind, "opencv-doc")
	p := newPKI(t)
	s := startServer(t, t.TempDir(), "--model", "mean", "--tls-cert", p.serverCert, "--tls-key", p.serverKey, "--token", "t0k")
	t.Setenv("FRAMEWIRE_TOKEN", "t0k")
	var stdout, stderr bytes.Buffer
	if err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", megamind, "--tls-ca", p.ca, "--quiet"}, &stdout, &stderr); err != nil {
		t.Fatalf("client with --tls-ca and FRAMEWIRE_TOKEN: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "processed 270") {
		t.Errorf("summary:\n%s", stderr.String())
	}
}

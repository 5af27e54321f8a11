// Package certpool loads the PEM certificates that TLS on either side of
// a call trusts: the client's server CA, the server's client CA.
package certpool

import (
	"crypto/x509"
	"fmt"
	"os"
)

// Load reads PEM certificates from file.
func Load(file string) (*x509.CertPool, error) {
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

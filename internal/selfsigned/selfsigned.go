// Package selfsigned generates the in-memory TLS certificate intray serves
// when the user gives no --tls-cert/--tls-key: a self-signed ECDSA P-256
// certificate for localhost, 127.0.0.1, ::1 and the machine's host name. It
// is made fresh at every start and never written to disk; clients must skip
// verification or trust it explicitly (Certificate.Leaf).
package selfsigned

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// validity is how long a generated certificate is valid; it is renewed at
// every start anyway.
const validity = 397 * 24 * time.Hour

// New returns a self-signed certificate and key for localhost, 127.0.0.1,
// ::1 and hostname (a DNS name or an IP address; "" adds nothing). The
// returned certificate has Leaf set, so a test can trust it with
// x509.NewCertPool().AddCert(cert.Leaf).
func New(hostname string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("selfsigned: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("selfsigned: serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"intray"}, CommonName: "localhost"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so it can be its own trust anchor
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	addName(tmpl, hostname)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("selfsigned: certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("selfsigned: parse: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// Config returns a server *tls.Config serving New(hostname).
func Config(hostname string) (*tls.Config, error) {
	cert, err := New(hostname)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// addName adds hostname to the certificate's names unless it is already
// there.
func addName(tmpl *x509.Certificate, hostname string) {
	hostname = strings.TrimSuffix(strings.TrimSpace(hostname), ".")
	if hostname == "" {
		return
	}
	if ip := net.ParseIP(strings.Trim(hostname, "[]")); ip != nil {
		for _, have := range tmpl.IPAddresses {
			if have.Equal(ip) {
				return
			}
		}
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		return
	}
	if !strings.EqualFold(hostname, "localhost") {
		tmpl.DNSNames = append(tmpl.DNSNames, hostname)
	}
}

package selfsigned

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
)

func TestNewNames(t *testing.T) {
	cert, err := New("mybox.example")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "mybox.example"} {
		_, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool})
		if err != nil {
			t.Errorf("verify %s: %v", name, err)
		}
	}
	if err := cert.Leaf.VerifyHostname("other.example"); err == nil {
		t.Error("certificate valid for an unrelated name")
	}
}

func TestNewIPHostname(t *testing.T) {
	cert, err := New("192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.Leaf.VerifyHostname("192.0.2.7"); err != nil {
		t.Error(err)
	}
	if n := len(cert.Leaf.DNSNames); n != 1 {
		t.Errorf("DNSNames = %v, want only localhost", cert.Leaf.DNSNames)
	}
	// No duplicates for names already present.
	cert, err = New("localhost")
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.Leaf.DNSNames) != 1 || len(cert.Leaf.IPAddresses) != 2 {
		t.Errorf("names = %v %v", cert.Leaf.DNSNames, cert.Leaf.IPAddresses)
	}
}

// TestConfigHandshake completes a real TLS handshake with a client that
// trusts only the generated certificate.
func TestConfigHandshake(t *testing.T) {
	cfg, err := Config("")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			_, err = c.Write([]byte("ok"))
			c.Close()
		}
		done <- err
	}()
	pool := x509.NewCertPool()
	pool.AddCert(cfg.Certificates[0].Leaf)
	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	if _, err := c.Read(buf); err != nil || string(buf) != "ok" {
		t.Fatalf("read %q %v", buf, err)
	}
	c.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

package srvkit

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"intray/internal/selfsigned"
)

// tlsPair returns a server config that signals on hello each ClientHello it
// reads, and a client config that trusts it.
func tlsPair(t *testing.T) (server, client *tls.Config, hello <-chan struct{}) {
	t.Helper()
	cert, err := selfsigned.New("")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	ch := make(chan struct{}, 1)
	server = &tls.Config{
		Certificates: []tls.Certificate{cert},
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			ch <- struct{}{}
			return nil, nil
		},
	}
	return server, &tls.Config{RootCAs: pool, ServerName: "localhost"}, ch
}

// stallConn lets a TLS client send its ClientHello and then never read the
// server's answer, so the server's handshake waits for the client.
type stallConn struct {
	net.Conn
	stop chan struct{}
}

func (c stallConn) Read([]byte) (int, error) {
	<-c.stop
	return 0, io.EOF
}

func TestHandshake(t *testing.T) {
	serverTLS, clientTLS, _ := tlsPair(t)
	var tr Tracker
	addr, _ := startTracker(t, &tr, func(c *Conn) {
		tc, err := c.Handshake(serverTLS, time.Minute)
		if err == nil && c.Busy() {
			io.WriteString(tc, "hello over tls\n")
		}
	})
	tc, err := tls.Dial("tcp", addr, clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if b, err := io.ReadAll(tc); string(b) != "hello over tls\n" {
		t.Fatalf("read %q, %v", b, err)
	}
}

// TestHandshakeShutdown: a handshake waiting for the client does not hold
// Shutdown up; Handshake returns ErrShuttingDown.
func TestHandshakeShutdown(t *testing.T) {
	serverTLS, clientTLS, hello := tlsPair(t)
	var tr Tracker
	result := make(chan error, 1)
	addr, _ := startTracker(t, &tr, func(c *Conn) {
		_, err := c.Handshake(serverTLS, time.Minute)
		result <- err
	})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	client := make(chan struct{})
	go func() {
		defer close(client)
		_ = tls.Client(stallConn{nc, stop}, clientTLS).Handshake()
	}()
	defer func() { close(stop); nc.Close(); <-client }()
	<-hello // the server is in the handshake
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown = %v: the handshake held it up", err)
	}
	if err := <-result; !errors.Is(err, ErrShuttingDown) {
		t.Errorf("Handshake = %v, want ErrShuttingDown", err)
	}
}

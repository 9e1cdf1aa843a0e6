package pop3d

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"intray/internal/leaktest"
)

// TestShutdown ends idle sessions with a goodbye, commits nothing for them,
// makes Serve return ErrServerClosed and leaks no goroutine.
func TestShutdown(t *testing.T) {
	f := newFakeStore(msgPlain)
	srv := &Server{Store: f}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	a := dial(t, ln.Addr().String())
	b := dial(t, ln.Addr().String())
	b.expect("USER joe", "+OK send PASS")
	b.cmd("PASS x")
	b.expect("DELE 1", "+OK message 1 deleted")

	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for _, c := range []*client{a, b} {
		if got := c.line(); got != "-ERR [SYS/TEMP] server shutting down" {
			t.Errorf("goodbye %q", got)
		}
		c.expectEOF()
	}
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v, want ErrServerClosed", err)
	}
	if len(f.removed) != 0 {
		t.Errorf("shutdown committed %v", f.removed)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("listener still accepts after Shutdown")
	}
	if err := srv.Serve(ln); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v", err)
	}
	_ = a.nc.Close()
	_ = b.nc.Close()
	// Shutdown has waited for every session and Serve has returned; only
	// the goroutines' exit may still be under way (see leaktest.Check).
	leaktest.Check(t, "intray/pop3d", "intray/internal/srvkit")
}

// TestShutdownWaitsForContext: a session stuck in a command (a client that
// does not read a large reply) is not cut off by Shutdown, which returns
// the context's error; Close then ends it.
func TestShutdownWaitsForContext(t *testing.T) {
	// Larger than what the socket buffers absorb: the server's send buffer
	// is at most 4 MiB by default, the client's receive buffer is made small.
	big := "Subject: big\r\n\r\n" + strings.Repeat("x", 16<<20) + "\r\n"
	srv := &Server{Store: newFakeStore(big)}
	c := dial(t, startServer(t, srv))
	if err := c.nc.(*net.TCPConn).SetReadBuffer(8 << 10); err != nil {
		t.Fatal(err)
	}
	c.expect("USER joe", "+OK send PASS")
	c.cmd("PASS x")
	c.send("RETR 1") // and do not read the reply
	if got, want := c.line(), fmt.Sprintf("+OK %d octets", len(big)); got != want {
		t.Fatalf("RETR: %q", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want DeadlineExceeded", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestMaxConns(t *testing.T) {
	addr := startServer(t, &Server{Store: newFakeStore(), MaxConns: 1})
	a := dial(t, addr)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	b := &client{t: t, nc: nc, r: newReader(nc)}
	if got := b.line(); got != "-ERR [SYS/TEMP] too many connections, try again later" {
		t.Errorf("refusal %q", got)
	}
	b.expectEOF()
	a.expect("QUIT", "+OK intray POP3 server signing off")
}

func TestListenAndServeClosed(t *testing.T) {
	srv := &Server{Store: newFakeStore(), Addr: "127.0.0.1:0"}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	_ = srv.Close()
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Errorf("ListenAndServe = %v, want ErrServerClosed", err)
	}
}

func TestServeNeedsStore(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := (&Server{}).Serve(ln); err == nil || errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve without Store = %v", err)
	}
}

func TestMaxConnsImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	addr := startServer(t, &Server{Store: newFakeStore(), MaxConns: 1, TLSConfig: serverTLS, ImplicitTLS: true})
	dialTLS := func() *tls.Conn {
		tc, err := tls.Dial("tcp", addr, clientTLS)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tc.Close() })
		return tc
	}
	a := newClient(t, dialTLS())
	b := &client{t: t, nc: dialTLS()}
	b.r = newReader(b.nc)
	if got := b.line(); got != "-ERR [SYS/TEMP] too many connections, try again later" {
		t.Errorf("refusal %q", got)
	}
	b.expectEOF()
	a.expect("QUIT", "+OK intray POP3 server signing off")
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

// TestShutdownInterruptsHandshake: a TLS handshake that waits for the
// client, implicit or after STLS, does not hold Shutdown up (it would for
// the 30 s handshake timeout), as smtpd's does not.
func TestShutdownInterruptsHandshake(t *testing.T) {
	for _, implicit := range []bool{true, false} {
		t.Run(fmt.Sprint("implicit=", implicit), func(t *testing.T) {
			serverTLS, clientTLS := testTLS(t)
			hello := make(chan struct{}, 1)
			serverTLS.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
				hello <- struct{}{}
				return nil, nil
			}
			srv := &Server{Store: newFakeStore(), TLSConfig: serverTLS, ImplicitTLS: implicit}
			addr := startServer(t, srv)
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			if !implicit {
				c := newClient(t, nc)
				c.expect("STLS", "+OK begin TLS negotiation")
			}
			stop := make(chan struct{})
			client := make(chan struct{})
			go func() {
				defer close(client)
				_ = tls.Client(stallConn{nc, stop}, clientTLS).Handshake()
			}()
			defer func() { close(stop); _ = nc.Close(); <-client }()
			<-hello // the server is in the handshake
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Fatalf("Shutdown = %v: the handshake held it up", err)
			}
		})
	}
}

// TestDefaults: the zero value and -1 of the fields mean what they mean in
// smtpd.
func TestDefaults(t *testing.T) {
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	for _, tt := range []struct {
		srv      *Server
		maxConns int // the tracker's: 0 is no limit
		host     string
	}{
		{&Server{}, DefaultMaxConns, host},
		{&Server{MaxConns: -1, Hostname: "pop.test"}, 0, "pop.test"},
		{&Server{MaxConns: 3}, 3, host},
	} {
		tt.srv.init()
		if tt.srv.tracker.MaxConns != tt.maxConns || tt.srv.hostname() != tt.host {
			t.Errorf("MaxConns %d, Hostname %q: limit %d, host %q; want %d, %q", tt.srv.MaxConns, tt.srv.Hostname,
				tt.srv.tracker.MaxConns, tt.srv.hostname(), tt.maxConns, tt.host)
		}
	}
	// The greeting's APOP timestamp names the default host.
	c := dial(t, startServer(t, &Server{Store: newFakeStore()}))
	if !strings.HasSuffix(c.greeting, "@"+host+">") {
		t.Errorf("greeting %q, want the host name %q", c.greeting, host)
	}
}

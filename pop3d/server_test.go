package pop3d

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// waitGoroutines waits until at most n goroutines run, yielding meanwhile,
// and fails after a few seconds.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines left, want at most %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
	}
}

// TestShutdown ends idle sessions with a goodbye, commits nothing for them,
// makes Serve return ErrServerClosed and leaks no goroutine.
func TestShutdown(t *testing.T) {
	before := runtime.NumGoroutine()
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
	waitGoroutines(t, before)
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

package srvkit

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// echoSession is a minimal line protocol: it echoes lines, answers "bye"
// when the server shuts down and "timeout" when the client idles.
// A line "hold" blocks (busy) until release is closed.
func echoSession(release <-chan struct{}, idle time.Duration) func(*Conn) {
	return func(c *Conn) {
		br := bufio.NewReader(readerFunc(func(p []byte) (int, error) {
			if err := c.ArmRead(idle); err != nil {
				return 0, err
			}
			return c.Conn.Read(p)
		}))
		lr := &LineReader{R: br, Max: 64}
		for {
			if br.Buffered() == 0 && !c.Idle() {
				io.WriteString(c, "bye\n")
				return
			}
			line, err := lr.ReadLine()
			if err != nil {
				if c.ShuttingDown() {
					io.WriteString(c, "bye\n")
				} else if errors.Is(err, os.ErrDeadlineExceeded) {
					io.WriteString(c, "timeout\n")
				}
				return
			}
			if !c.Busy() {
				io.WriteString(c, "bye\n")
				return
			}
			if string(line) == "hold\n" {
				io.WriteString(c, "holding\n")
				<-release
			}
			c.Write(line)
		}
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// startTracker serves handle on a loopback listener and returns the tracker,
// its address and the channel Serve's result arrives on.
func startTracker(t *testing.T, tr *Tracker, handle func(*Conn)) (string, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- tr.Serve(ln, handle) }()
	t.Cleanup(func() { tr.Close() })
	return ln.Addr().String(), served
}

type client struct {
	net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{c, bufio.NewReader(c)}
}

func (c *client) roundTrip(t *testing.T, send, want string) {
	t.Helper()
	if send != "" {
		if _, err := io.WriteString(c, send); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.r.ReadString('\n')
	if got != want {
		t.Fatalf("sent %q: got %q (%v), want %q", send, got, err, want)
	}
}

func TestShutdownGraceful(t *testing.T) {
	var tr Tracker
	release := make(chan struct{})
	addr, served := startTracker(t, &tr, echoSession(release, time.Minute))

	idle := dial(t, addr)
	idle.roundTrip(t, "hi\n", "hi\n")
	busy := dial(t, addr)
	busy.roundTrip(t, "hold\n", "holding\n")
	if n := tr.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tr.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a busy session = %v, want deadline exceeded", err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve = %v, want ErrServerClosed", err)
	}
	idle.roundTrip(t, "", "bye\n")

	close(release)
	busy.roundTrip(t, "", "hold\n")
	busy.roundTrip(t, "", "bye\n")
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := tr.Len(); n != 0 {
		t.Fatalf("Len after Shutdown = %d", n)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("listener still open after Shutdown")
	}
}

func TestServeAfterClose(t *testing.T) {
	var tr Tracker
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Serve(ln, func(*Conn) {}); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve = %v", err)
	}
	if _, err := ln.Accept(); err == nil {
		t.Error("Serve left the listener open")
	}
}

func TestIdleTimeout(t *testing.T) {
	var tr Tracker
	addr, _ := startTracker(t, &tr, echoSession(nil, 20*time.Millisecond))
	c := dial(t, addr)
	c.roundTrip(t, "", "timeout\n")
}

func TestMaxConnsRefuse(t *testing.T) {
	tr := Tracker{MaxConns: 2, Refuse: func(c net.Conn) { io.WriteString(c, "busy\n") }}
	addr, _ := startTracker(t, &tr, echoSession(nil, time.Minute))
	a, b := dial(t, addr), dial(t, addr)
	a.roundTrip(t, "a\n", "a\n")
	b.roundTrip(t, "b\n", "b\n")
	c := dial(t, addr)
	c.roundTrip(t, "", "busy\n")
	if _, err := c.r.ReadByte(); err != io.EOF {
		t.Errorf("refused connection not closed: %v", err)
	}
	a.Close()
	// Once a slot is free, new connections are served again.
	for {
		d := dial(t, addr)
		io.WriteString(d, "d\n")
		if got, _ := d.r.ReadString('\n'); got == "d\n" {
			break
		}
	}
}

func TestCloseEndsBusySessions(t *testing.T) {
	var tr Tracker
	block := make(chan struct{})
	started := make(chan struct{})
	addr, _ := startTracker(t, &tr, func(c *Conn) {
		close(started)
		c.Read(make([]byte, 1)) // returns when Close closes the conn
		close(block)
	})
	dial(t, addr)
	<-started
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-block:
	default:
		t.Fatal("Close returned before the session ended")
	}
}

// flakyListener fails Accept with temporary errors a few times.
type flakyListener struct {
	net.Listener
	mu    sync.Mutex
	fails int
}

type tempErr struct{}

func (tempErr) Error() string   { return "temporary" }
func (tempErr) Temporary() bool { return true }
func (tempErr) Timeout() bool   { return false }

func (l *flakyListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fails > 0 {
		l.fails--
		return nil, tempErr{}
	}
	return l.Listener.Accept()
}

func TestServeRetriesTemporaryErrors(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &flakyListener{Listener: inner, fails: 3}
	var logged int
	tr := Tracker{Logf: func(string, ...any) { logged++ }}
	go tr.Serve(ln, echoSession(nil, time.Minute))
	t.Cleanup(func() { tr.Close() })
	c := dial(t, inner.Addr().String())
	c.roundTrip(t, "x\n", "x\n")
	if logged != 3 {
		t.Errorf("logged %d retries, want 3", logged)
	}
}

func TestServePermanentError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var tr Tracker
	ln.Close()
	if err := tr.Serve(ln, func(*Conn) {}); err == nil || errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve on a closed listener = %v", err)
	}
}

func TestListen(t *testing.T) {
	const free, bad = "127.0.0.1:0", "not an address"
	for _, tt := range []struct {
		name, addr, def, tlsDef string
		implicit                bool
	}{
		{"given address", free, bad, bad, true},
		{"default", "", free, bad, false},
		{"implicit-TLS default", "", bad, free, true},
	} {
		ln, err := Listen(tt.addr, tt.def, tt.tlsDef, tt.implicit)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		ln.Close()
	}
}

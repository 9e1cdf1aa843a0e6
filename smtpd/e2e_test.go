package smtpd

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"intray/memstore"
)

// TestConcurrentIngest: 32 connections send 200 messages each into the
// real store, half over DATA and half over BDAT; all 6,400 must be stored
// with the right envelopes and bytes.
func TestConcurrentIngest(t *testing.T) {
	const conns, perConn = 32, 200
	store := memstore.New(memstore.Options{MaxMessages: conns * perConn})
	_, _, addr := startServer(t, func(s *Server) { s.Store = store })

	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- sendMany(addr, i, perConn)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	total, entries, err := store.List(memstore.Filter{}, 0, conns*perConn+1)
	if err != nil || total != conns*perConn {
		t.Fatalf("stored %d messages (%v), want %d", total, err, conns*perConn)
	}
	seen := make(map[string]bool)
	for _, e := range entries {
		m := e.Msg
		var ci, mi int
		if _, err := fmt.Sscanf(string(m.Raw), "Subject: msg %d-%d\r\n", &ci, &mi); err != nil {
			t.Fatalf("raw %q: %v", m.Raw, err)
		}
		key := fmt.Sprint(ci, "-", mi)
		if seen[key] {
			t.Fatalf("message %s stored twice", key)
		}
		seen[key] = true
		if string(m.Raw) != testMessage(ci, mi) || m.Envelope.MailFrom != fmt.Sprintf("s%d@x.test", ci) ||
			len(m.Envelope.RcptTo) != 2 || m.Envelope.RcptTo[1] != fmt.Sprintf("r%d-%d@y.test", ci, mi) ||
			m.Envelope.Helo != fmt.Sprintf("c%d", ci) {
			t.Fatalf("message %s: envelope %+v raw %q", key, m.Envelope, m.Raw)
		}
	}
}

func testMessage(conn, i int) string {
	return fmt.Sprintf("Subject: msg %d-%d\r\n\r\n%s\r\n", conn, i, strings.Repeat("body ", i%50))
}

// sendMany sends n pipelined transactions on one session.
func sendMany(addr string, ci, n int) error {
	c, err := gosmtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(fmt.Sprintf("c%d", ci)); err != nil {
		return err
	}
	for i := range n {
		if err := c.Mail(fmt.Sprintf("s%d@x.test", ci), nil); err != nil {
			return err
		}
		for _, r := range []string{"all@y.test", fmt.Sprintf("r%d-%d@y.test", ci, i)} {
			if err := c.Rcpt(r, nil); err != nil {
				return err
			}
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(testMessage(ci, i))); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("message %d-%d: %w", ci, i, err)
		}
	}
	return c.Quit()
}

// TestRealStoreRoundTrip sends the byte-exact cases through the real store.
func TestRealStoreRoundTrip(t *testing.T) {
	store := memstore.New(memstore.Options{})
	_, _, addr := startServer(t, func(s *Server) { s.Store = store })
	c := dial(t, addr)
	for _, msg := range []string{
		"Subject: x\r\n\r\n.\r\n..\r\n.x\r\n",
		".first line dot\r\n\r\nbody\r\n",
		"Subject: long\r\n\r\n" + strings.Repeat("z", 3000) + "\r\n",
		"Subject: 8bit \xe2\x82\xac\r\n\r\n\xff\xfe\r\n",
	} {
		c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n"+string(dotEncodeRaw(msg))+".\r\n",
			"250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 OK: queued\r\n")
		_, page, err := store.List(memstore.Filter{}, 0, 1)
		if err != nil || len(page) != 1 || string(page[0].Msg.Raw) != msg {
			t.Fatalf("stored %q, want %q (%v)", trunc(string(page[0].Msg.Raw)), trunc(msg), err)
		}
	}
	// Over BDAT, a message without a final CRLF is stored as sent.
	c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 15 LAST\r\nSubject: x\r\n\r\nz",
		"250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n")
	_, page, _ := store.List(memstore.Filter{}, 0, 1)
	if got := string(page[0].Msg.Raw); got != "Subject: x\r\n\r\nz" {
		t.Errorf("stored %q", got)
	}
}

// TestNoGoroutineLeak: after Shutdown and after Close, with sessions in
// every state, no goroutine of the server is left.
func TestNoGoroutineLeak(t *testing.T) {
	for _, stop := range []string{"shutdown", "close"} {
		t.Run(stop, func(t *testing.T) {
			before := runtime.NumGoroutine()
			s := &Server{Hostname: "mx.test", Store: &fakeStore{}}
			ln := listen(t)
			served := make(chan error, 1)
			go func() { served <- s.Serve(ln) }()
			addr := ln.Addr().String()
			idle := dial(t, addr)
			mid := dial(t, addr)
			mid.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n",
				"250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
			mid.nc.Write([]byte("partial data"))
			var err error
			if stop == "shutdown" {
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				err = s.Shutdown(ctx) // the mid-DATA session keeps it waiting
				cancel()
				if err == nil {
					t.Fatal("Shutdown returned with a session mid-DATA")
				}
				idle.expect("", replyShutdown+"<EOF>")
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := <-served; err != ErrServerClosed {
				t.Fatalf("Serve = %v", err)
			}
			idle.nc.Close()
			mid.nc.Close()
			waitGoroutines(t, before)
		})
	}
}

// waitGoroutines waits until the goroutine count is back to n; the
// runtime needs a moment to retire goroutines that have returned.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
	}
}

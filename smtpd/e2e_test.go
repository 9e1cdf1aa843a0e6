package smtpd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"intray/internal/leaktest"
	"intray/memstore"
)

// TestConcurrentIngest: 32 connections send 200 messages each into the
// real store, half over DATA (go-smtp's client) and half over BDAT (a raw
// pipelining client: go-smtp's has no BDAT); all 6,400 must be stored with
// the right envelopes and bytes.
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
			if i%2 == 0 {
				errs <- sendMany(addr, i, perConn)
			} else {
				errs <- sendManyBDAT(addr, i, perConn)
			}
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

// sendManyBDAT sends n transactions on one session over BDAT, each in
// one pipelined write: MAIL, two RCPT and the message in one to three
// chunks, the last one sometimes empty. It checks every reply.
func sendManyBDAT(addr string, ci, n int) error {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(nc)
	expect := func(want ...string) error {
		for _, w := range want {
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return fmt.Errorf("conn %d: want %q: %w", ci, w, err)
				}
				if len(line) > 3 && line[3] == '-' && strings.HasPrefix(w, line[:3]+" ") {
					continue // a multi-line reply goes on
				}
				if line != w+"\r\n" {
					return fmt.Errorf("conn %d: got %q, want %q", ci, line, w)
				}
				break
			}
		}
		return nil
	}
	fmt.Fprintf(nc, "EHLO c%d\r\n", ci)
	if err := expect("220 mx.test ESMTP intray", "250 HELP"); err != nil {
		return err
	}
	var b bytes.Buffer
	for i := range n {
		msg := testMessage(ci, i)
		b.Reset()
		fmt.Fprintf(&b, "MAIL FROM:<s%d@x.test>\r\nRCPT TO:<all@y.test>\r\nRCPT TO:<r%d-%d@y.test>\r\n", ci, ci, i)
		want := []string{"250 2.1.0 OK", "250 2.1.5 OK", "250 2.1.5 OK"}
		cuts := []int{0, len(msg)} // chunk boundaries
		switch i % 3 {
		case 1:
			cuts = []int{0, i % len(msg), len(msg)}
		case 2:
			cuts = []int{0, len(msg) / 2, len(msg), len(msg)} // an empty LAST chunk
		}
		for k := 1; k < len(cuts); k++ {
			last, chunk := k == len(cuts)-1, msg[cuts[k-1]:cuts[k]]
			if last {
				fmt.Fprintf(&b, "BDAT %d LAST\r\n%s", len(chunk), chunk)
				want = append(want, "250 2.0.0 OK: queued")
			} else {
				fmt.Fprintf(&b, "BDAT %d\r\n%s", len(chunk), chunk)
				want = append(want, "250 2.0.0 Chunk received")
			}
		}
		if _, err := nc.Write(b.Bytes()); err != nil {
			return err
		}
		if err := expect(want...); err != nil {
			return fmt.Errorf("message %d-%d: %w", ci, i, err)
		}
	}
	fmt.Fprintf(nc, "QUIT\r\n")
	return expect("221 2.0.0 Bye")
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
	// Empty messages are accepted and stored, over DATA and over BDAT.
	for _, tx := range []string{"DATA\r\n.\r\n", "BDAT 0 LAST\r\n"} {
		before, _, _ := store.List(memstore.Filter{}, 0, 0)
		want := "250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n"
		if tx[0] == 'D' {
			want = "250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 OK: queued\r\n"
		}
		c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\n"+tx, want)
		total, page, _ := store.List(memstore.Filter{}, 0, 1)
		if total != before+1 || len(page[0].Msg.Raw) != 0 {
			t.Errorf("%q: %d messages, newest %q", tx, total, page[0].Msg.Raw)
		}
	}
}

// TestNoGoroutineLeak: after Shutdown and after Close, with sessions in
// every state, no goroutine of the server is left.
func TestNoGoroutineLeak(t *testing.T) {
	for _, stop := range []string{"shutdown", "close"} {
		t.Run(stop, func(t *testing.T) {
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
			// Close has waited for every session; only the goroutines'
			// exit may still be under way (see leaktest.Check).
			leaktest.Check(t, "intray/smtpd", "intray/internal/srvkit")
		})
	}
}

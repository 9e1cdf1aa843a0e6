package pop3d

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"intray/memstore"
)

const benchMessages = 10_000

// benchMessage returns a message of about 2 KB with a few lines that start
// with '.', so byte-stuffing is exercised.
func benchMessage(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: sender@example.com\r\nTo: bob@example.com\r\nSubject: message %d\r\n"+
		"Message-ID: <%d@example.com>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n", i, i)
	for b.Len() < 2000 {
		b.WriteString("The quick brown fox jumps over the lazy dog, again and again.\r\n")
		if b.Len()%7 == 0 {
			b.WriteString(".a line with a leading dot\r\n")
		}
	}
	return b.String()
}

// benchServer starts a server over a memstore holding n 2 KB messages.
func benchServer(b *testing.B, n int) string {
	b.Helper()
	st := memstore.New(memstore.Options{})
	for i := range n {
		if _, err := st.Add(memstore.Envelope{RcptTo: []string{"bob@example.com"}}, []byte(benchMessage(i))); err != nil {
			b.Fatal(err)
		}
	}
	return startServer(b, &Server{Store: st})
}

func benchLogin(b *testing.B, addr string) *rawClient {
	b.Helper()
	c, err := rawDial(addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Minute))
	for _, cmd := range []string{"USER bob@example.com", "PASS x"} {
		if l, err := c.cmd(cmd); err != nil || !strings.HasPrefix(l, "+OK") {
			b.Fatalf("%s: %q %v", cmd, l, err)
		}
	}
	return c
}

// readRETR reads one RETR reply as a client does: the status line, then
// data lines up to the terminator, unstuffed into buf.
func (c *rawClient) readRETR(buf []byte) ([]byte, error) {
	l, err := c.r.ReadSlice('\n')
	if err != nil {
		return buf, err
	}
	if !bytes.HasPrefix(l, []byte("+OK ")) {
		return buf, fmt.Errorf("RETR: %q", l)
	}
	for {
		l, err := c.r.ReadSlice('\n')
		if err != nil {
			return buf, err
		}
		if len(l) == 3 && l[0] == '.' {
			return buf, nil
		}
		if l[0] == '.' {
			l = l[1:]
		}
		buf = append(buf, l...)
	}
}

// BenchmarkRETR retrieves 10,000 2 KB messages in one session per
// iteration, client included: lockstep sends one RETR and reads its reply;
// pipelined (RFC 2449 PIPELINING) has a writer send every RETR while the
// client reads.
func BenchmarkRETR(b *testing.B) {
	addr := benchServer(b, benchMessages)
	size := len(benchMessage(0))
	b.Run("lockstep", func(b *testing.B) {
		var buf []byte
		b.SetBytes(int64(benchMessages * size))
		for b.Loop() {
			c := benchLogin(b, addr)
			var cmd []byte
			for i := 1; i <= benchMessages; i++ {
				cmd = append(strconv.AppendInt(append(cmd[:0], "RETR "...), int64(i), 10), "\r\n"...)
				if _, err := c.Write(cmd); err != nil {
					b.Fatal(err)
				}
				var err error
				if buf, err = c.readRETR(buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
			c.Close()
		}
		b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
	b.Run("pipelined", func(b *testing.B) {
		var cmds []byte
		for i := 1; i <= benchMessages; i++ {
			cmds = fmt.Appendf(cmds, "RETR %d\r\n", i)
		}
		var buf []byte
		b.SetBytes(int64(benchMessages * size))
		for b.Loop() {
			c := benchLogin(b, addr)
			werr := make(chan error, 1)
			go func() { _, err := c.Write(cmds); werr <- err }()
			for range benchMessages {
				var err error
				if buf, err = c.readRETR(buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
			if err := <-werr; err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
		b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}

// benchListing measures one LIST or UIDL of 10,000 messages, client
// included.
func benchListing(b *testing.B, verb string) {
	c := benchLogin(b, benchServer(b, benchMessages))
	for b.Loop() {
		l, err := c.cmd(verb)
		if err != nil || !strings.HasPrefix(l, "+OK") {
			b.Fatalf("%s: %q %v", verb, l, err)
		}
		lines := 0
		for {
			l, err := c.r.ReadSlice('\n')
			if err != nil {
				b.Fatal(err)
			}
			if len(l) == 3 && l[0] == '.' {
				break
			}
			lines++
		}
		if lines != benchMessages {
			b.Fatalf("%s: %d lines", verb, lines)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/listing")
}

func BenchmarkLIST(b *testing.B) { benchListing(b, "LIST") }
func BenchmarkUIDL(b *testing.B) { benchListing(b, "UIDL") }

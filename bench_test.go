package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"intray/internal/proccpu"
	"intray/internal/srvkit"
)

// BenchmarkStartup starts the binary with every service on and reports the
// time from entering run to every listener bound, as the banner states it
// (exec and the Go runtime's own start come before that and are included
// in ns/op with the shutdown).
func BenchmarkStartup(b *testing.B) {
	intrayBinary(b)
	var total float64
	for b.Loop() {
		p := startBinary(b)
		total += p.readyMs
		p.stop(b)
	}
	b.ReportMetric(total/float64(b.N), "ready-ms")
}

// testMessage builds a message of about size bytes: a plain text one, or
// multipart with an attachment when multipart is set.
func testMessage(size int, multipart bool) []byte {
	var sb strings.Builder
	sb.WriteString("From: Bench <bench@example.com>\r\nTo: rcpt@example.com\r\nSubject: benchmark\r\n" +
		"Date: Mon, 2 Jan 2006 15:04:05 -0700\r\nMessage-ID: <bench@example.com>\r\nMIME-Version: 1.0\r\n")
	line := "The quick brown fox jumps over the lazy dog, again and again and again.\r\n"
	if !multipart {
		sb.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
		for sb.Len() < size {
			sb.WriteString(line)
		}
		return []byte(sb.String())
	}
	sb.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n" +
		"Content-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n--b2\r\nContent-Type: text/plain\r\n\r\n")
	for range 20 {
		sb.WriteString(line)
	}
	sb.WriteString("--b2\r\nContent-Type: text/html\r\n\r\n<html><body>")
	for range 20 {
		sb.WriteString("<p>" + line)
	}
	sb.WriteString("</body></html>\r\n--b2--\r\n--b1\r\nContent-Type: application/octet-stream\r\n" +
		"Content-Disposition: attachment; filename=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for sb.Len() < size-20 {
		sb.WriteString("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n")
	}
	sb.WriteString("--b1--\r\n")
	return []byte(sb.String())
}

// smtpSender is a lean SMTP client for load: it pipelines MAIL, RCPT and
// DATA (RFC 2920) and checks every reply code.
type smtpSender struct {
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
}

func dialSender(addr string) (*smtpSender, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &smtpSender{conn: c, r: bufio.NewReaderSize(c, 4096), w: bufio.NewWriterSize(c, 64<<10)}
	if err := s.expect("220"); err != nil {
		return nil, err
	}
	s.w.WriteString("EHLO bench.example.com\r\n")
	s.w.Flush()
	return s, s.expect("250")
}

// expect reads one (possibly multi-line) reply and checks its code.
func (s *smtpSender) expect(code string) error {
	for {
		line, err := s.r.ReadSlice('\n') // no allocation: the client's CPU counts too
		if err != nil {
			return err
		}
		if len(line) < len(code) || string(line[:len(code)]) != code {
			return fmt.Errorf("want %s, got %q", code, line)
		}
		if len(line) < 4 || line[3] != '-' {
			return nil
		}
	}
}

const envelopeCmds = "MAIL FROM:<bench@example.com>\r\nRCPT TO:<rcpt@example.com>\r\nDATA\r\n"

// sendAll delivers data n times in one session. With pipelined set it uses
// RFC 2920 to the full: the end of one message's data travels in the same
// write as the next transaction's MAIL, RCPT and DATA, so each message costs
// one round trip. Without it the client waits for every reply group (two
// round trips per message), as most SMTP libraries do.
func (s *smtpSender) sendAll(data []byte, n int, pipelined bool) error {
	for i := range n {
		if i == 0 || !pipelined {
			s.w.WriteString(envelopeCmds)
			if err := s.flushExpect("250", "250", "354"); err != nil {
				return err
			}
		}
		s.w.Write(data)
		s.w.WriteString(".\r\n")
		if pipelined && i+1 < n {
			s.w.WriteString(envelopeCmds)
			if err := s.flushExpect("250", "250", "250", "354"); err != nil {
				return err
			}
			continue
		}
		if err := s.flushExpect("250"); err != nil {
			return err
		}
	}
	return nil
}

// sendChunked delivers data n times in one session with CHUNKING (RFC
// 3030) and PIPELINING (RFC 2920): BDAT needs no 354 round trip, so a
// client may keep many whole transactions (MAIL, RCPT, BDAT LAST and the
// bytes) in flight. It writes window transactions at a time, then reads
// and checks their replies: the most the two RFCs allow a client.
func (s *smtpSender) sendChunked(data []byte, n, window int) error {
	head := fmt.Sprintf("MAIL FROM:<bench@example.com>\r\nRCPT TO:<rcpt@example.com>\r\nBDAT %d LAST\r\n", len(data))
	for n > 0 {
		k := min(window, n)
		for range k {
			s.w.WriteString(head)
			s.w.Write(data)
		}
		if err := s.w.Flush(); err != nil {
			return err
		}
		for range k {
			for _, c := range [...]string{"250", "250", "250"} {
				if err := s.expect(c); err != nil {
					return err
				}
			}
		}
		n -= k
	}
	return nil
}

func (s *smtpSender) flushExpect(codes ...string) error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	for _, c := range codes {
		if err := s.expect(c); err != nil {
			return err
		}
	}
	return nil
}

// sendMode is how a benchmark client sends its messages.
type sendMode struct {
	pipelined bool // DATA with RFC 2920 pipelining (sendAll)
	window    int  // > 0: BDAT transactions in flight per connection (sendChunked)
}

var (
	lockstep  = sendMode{}
	pipelined = sendMode{pipelined: true}
	chunking  = sendMode{window: 32}
)

// BenchmarkSMTPIngest measures end-to-end ingest against the built binary
// in its own process: 8 connections that reuse their sessions, the client
// included. The 2 KB message is sent three ways: waiting for every reply
// group (two round trips per message, as most SMTP libraries do), with DATA
// pipelined to the full (one round trip), and with BDAT pipelined (no round
// trip per message; 32 in flight per connection). It reports messages/s,
// MB/s and the server's CPU per message (from /proc/PID/stat before and
// after the run). INTRAY_BENCH_ARGS adds flags, for example a low
// --max-messages to measure a store that recycles its memory.
func BenchmarkSMTPIngest(b *testing.B) {
	for _, bc := range []struct {
		name      string
		size      int
		multipart bool
		mode      sendMode
	}{
		{"2KB", 2 << 10, false, lockstep}, {"2KB-pipelined", 2 << 10, false, pipelined},
		{"2KB-chunking", 2 << 10, false, chunking},
		{"50KB-multipart", 50 << 10, true, lockstep}, {"2MB", 2 << 20, false, lockstep},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := startBinary(b, append([]string{"--max-messages", "10000000", "--max-store-bytes", "16GiB"}, strings.Fields(os.Getenv("INTRAY_BENCH_ARGS"))...)...)
			defer p.stop(b)
			benchSend(b, p.cmd.Process.Pid, p.addrs["smtp"], testMessage(bc.size, bc.multipart), bc.mode)
		})
	}
}

// BenchmarkLoopbackFloor runs the 2 KB workloads of BenchmarkSMTPIngest
// against floorServer, which answers without parsing or keeping anything:
// what one message costs a Go server on this machine in system calls and
// scheduling alone. intray's figures are best read against it.
func BenchmarkLoopbackFloor(b *testing.B) {
	for _, bc := range []struct {
		name string
		mode sendMode
	}{{"2KB", lockstep}, {"2KB-pipelined", pipelined}, {"2KB-chunking", chunking}} {
		b.Run(bc.name, func(b *testing.B) {
			addr, pid := proccpu.StartChild(b, floorServerEnv)
			benchSend(b, pid, addr, testMessage(2<<10, false), bc.mode)
		})
	}
}

// floorServerEnv makes the test binary run floorServer instead of tests.
const floorServerEnv = "INTRAY_FLOOR_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(floorServerEnv) != "" {
		floorServer()
		return
	}
	os.Exit(m.Run())
}

// floorServer serves the least an SMTP server can do: a fixed reply to
// every command and to the end of DATA (BDAT data is skipped), replies
// flushed as smtpd flushes them, nothing parsed or kept. It runs as the
// child process of BenchmarkLoopbackFloor (proccpu.ServeChild).
func floorServer() {
	proccpu.ServeChild(func(ln net.Listener) {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go floorConn(c)
		}
	})
}

func floorConn(c net.Conn) {
	defer c.Close()
	w := bufio.NewWriterSize(c, 4<<10)
	fr := &srvkit.FlushReader{Conn: c, Pending: func() bool { return w.Buffered() > 0 }, Flush: w.Flush}
	r := bufio.NewReaderSize(fr, 16<<10)
	w.WriteString("220 floor\r\n")
	inData := false
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return
		}
		switch {
		case inData:
			if string(line) == ".\r\n" {
				inData = false
				w.WriteString("250 OK\r\n")
			}
		case bytes.HasPrefix(line, []byte("DATA")):
			inData = true
			w.WriteString("354 go on\r\n")
		case bytes.HasPrefix(line, []byte("BDAT ")):
			n, _ := strconv.Atoi(string(bytes.Fields(line)[1]))
			if _, err := r.Discard(n); err != nil {
				return
			}
			w.WriteString("250 OK\r\n")
		default:
			w.WriteString("250 OK\r\n")
		}
	}
}

// benchSend sends b.N copies of data over 8 sessions to the server at addr
// (process pid) and reports msgs/s and the server's CPU per message.
func benchSend(b *testing.B, pid int, addr string, data []byte, mode sendMode) {
	const conns = 8
	senders := make([]*smtpSender, conns)
	for i := range senders {
		s, err := dialSender(addr)
		if err != nil {
			b.Fatal(err)
		}
		senders[i] = s
	}
	b.SetBytes(int64(len(data)))
	u0, s0, err := proccpu.Times(pid)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	b.ResetTimer()
	var wg sync.WaitGroup
	per := (b.N + conns - 1) / conns
	errs := make(chan error, conns)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if mode.window > 0 {
				err = senders[i].sendChunked(data, per, mode.window)
			} else {
				err = senders[i].sendAll(data, per, mode.pipelined)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	n := per * conns
	u1, s1, err := proccpu.Times(pid)
	if err != nil {
		b.Fatal(err)
	}
	perMsg := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n) }
	b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(perMsg(u1-u0+s1-s0), "server-µs/msg")
	b.ReportMetric(perMsg(u1-u0), "server-user-µs/msg")
	b.ReportMetric(perMsg(s1-s0), "server-sys-µs/msg")
}

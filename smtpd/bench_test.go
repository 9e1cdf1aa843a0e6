package smtpd

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"intray/memstore"

	"intray/internal/proccpu"
)

// benchConns is the number of client connections of BenchmarkIngest.
const benchConns = 8

// BenchmarkIngest measures end-to-end ingest over loopback into the real
// store: 8 connections that keep their sessions and send each transaction
// (MAIL, RCPT, DATA and the message, or BDAT LAST) in one write, with a
// lean client in the same process. msgs/s is the headline figure; MB/s
// counts message bytes.
func BenchmarkIngest(b *testing.B) {
	for _, bc := range []struct {
		name string
		msg  []byte
		bdat bool
	}{
		{"2KB", benchMessage(2 << 10), false},
		{"2KB-BDAT", benchMessage(2 << 10), true},
		{"50KB-multipart", benchMultipart(50 << 10), false},
		{"2MB", benchMessage(2 << 20), false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			store := memstore.New(memstore.Options{MaxMessages: 10_000, MaxBytes: 1 << 30})
			_, _, addr := startServer(b, func(s *Server) { s.Store = store })
			benchIngest(b, addr, benchTransaction(bc.msg, bc.bdat), len(bc.msg), 1)
		})
	}
}

// benchIngest runs b.N transactions over benchConns sessions, writing
// batch transactions at a time (1: one transaction, then its replies).
func benchIngest(b *testing.B, addr string, tx []byte, msgSize, batch int) {
	b.Helper()
	clients := make([]*benchClient, benchConns)
	for i := range clients {
		clients[i] = newBenchClient(b, addr)
	}
	b.SetBytes(int64(msgSize))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, benchConns)
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(int64(batch)) <= int64(b.N)+int64(batch)-1 {
				if err := c.send(tx, batch); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// benchClient is a lean pipelining client: one write per transaction,
// then one read of its four replies.
type benchClient struct {
	nc net.Conn
	r  *bufio.Reader
}

func newBenchClient(b testing.TB, addr string) *benchClient {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { nc.Close() })
	c := &benchClient{nc: nc, r: bufio.NewReaderSize(nc, 4096)}
	if _, err := nc.Write([]byte("EHLO bench\r\n")); err != nil {
		b.Fatal(err)
	}
	if err := c.replies(2); err != nil { // greeting and EHLO
		b.Fatal(err)
	}
	return c
}

// send writes tx batch times in one write and reads the replies: MAIL,
// RCPT, DATA's 354 (NOOP with BDAT) and the final reply for each.
func (c *benchClient) send(tx []byte, batch int) error {
	if batch > 1 {
		tx = bytes.Repeat(tx, batch)
	}
	if _, err := c.nc.Write(tx); err != nil {
		return err
	}
	return c.replies(4 * batch)
}

// replies reads n replies, failing on any 4xx or 5xx.
func (c *benchClient) replies(n int) error {
	for n > 0 {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if line[0] == '4' || line[0] == '5' {
			return fmt.Errorf("server said %q", line)
		}
		if len(line) > 3 && line[3] == ' ' {
			n--
		}
	}
	return nil
}

// benchTransaction renders one pipelined transaction. For BDAT it adds a NOOP
// so that every transaction has four replies.
func benchTransaction(msg []byte, bdat bool) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "MAIL FROM:<sender@example.com> SIZE=%d\r\nRCPT TO:<rcpt@example.com>\r\n", len(msg))
	if bdat {
		fmt.Fprintf(&b, "NOOP\r\nBDAT %d LAST\r\n", len(msg))
		b.Write(msg)
		return b.Bytes()
	}
	b.WriteString("DATA\r\n")
	b.Write(dotEncodeRaw(string(msg)))
	b.WriteString(".\r\n")
	return b.Bytes()
}

// benchMessage returns a plain message of about size bytes.
func benchMessage(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: Sender <sender@example.com>\r\nTo: Rcpt <rcpt@example.com>\r\n" +
		"Subject: benchmark message\r\nDate: Mon, 2 Jan 2006 15:04:05 +0000\r\n" +
		"Message-ID: <bench@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	line := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 2)[:74] + "\r\n"
	for i := 0; b.Len() < size; i++ {
		if i%20 == 0 {
			b.WriteString(".a line that needs dot-stuffing\r\n")
			continue
		}
		b.WriteString(line)
	}
	return b.Bytes()
}

// benchMultipart returns a multipart/mixed message of about size bytes:
// a text part, an HTML part and a base64 attachment.
func benchMultipart(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: Sender <sender@example.com>\r\nTo: Rcpt <rcpt@example.com>\r\n" +
		"Subject: multipart benchmark\r\nDate: Mon, 2 Jan 2006 15:04:05 +0000\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"BOUNDARY\"\r\n\r\n" +
		"--BOUNDARY\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello, this is the text part.\r\n" +
		"--BOUNDARY\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hello, this is the <b>HTML</b> part.</p>\r\n" +
		"--BOUNDARY\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"data.bin\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	line := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=", 3)[:76] + "\r\n"
	for b.Len() < size-20 {
		b.WriteString(line)
	}
	b.WriteString("--BOUNDARY--\r\n")
	return b.Bytes()
}

// discardStore throws messages away; it isolates the server's own cost.
type discardStore struct{ n atomic.Int64 }

func (s *discardStore) Add(memstore.Envelope, []byte) (*memstore.Message, error) {
	s.n.Add(1)
	return nil, nil
}

// BenchmarkIngestServerOnly is BenchmarkIngest/2KB with a store that
// discards, to show what the SMTP server alone costs.
func BenchmarkIngestServerOnly(b *testing.B) {
	_, _, addr := startServer(b, func(s *Server) { s.Store = &discardStore{} })
	msg := benchMessage(2 << 10)
	benchIngest(b, addr, benchTransaction(msg, false), len(msg), 1)
}

// benchServerEnv makes the test binary a bare SMTP server for
// BenchmarkIngestProcess: it serves the real store on 127.0.0.1:0, prints
// the address, and exits when its stdin closes.
const benchServerEnv = "INTRAY_SMTPD_BENCH_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(benchServerEnv) != "" {
		benchServerMain()
		return
	}
	os.Exit(m.Run())
}

func benchServerMain() {
	if path := os.Getenv(benchServerEnv + "_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	s := &Server{Hostname: "bench", Store: memstore.New(memstore.Options{})}
	proccpu.ServeChild(func(ln net.Listener) { s.Serve(ln) })
	s.Close()
}

// BenchmarkIngestProcess runs the server in a process of its own (this
// test binary in server mode) and reports its CPU time per message from
// /proc/PID/stat, besides msgs/s. The client and the server share the two
// cores, so msgs/s includes the client's cost.
func BenchmarkIngestProcess(b *testing.B) {
	for _, bc := range []struct {
		name  string
		msg   []byte
		batch int
	}{
		{"2KB", benchMessage(2 << 10), 1},
		{"2KB-batch8", benchMessage(2 << 10), 8},
		{"50KB-multipart", benchMultipart(50 << 10), 1},
		{"2MB", benchMessage(2 << 20), 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			addr, cpu := startServerProcess(b)
			before := cpu()
			benchIngest(b, addr, benchTransaction(bc.msg, false), len(bc.msg), bc.batch)
			b.ReportMetric(float64((cpu()-before).Microseconds())/float64(b.N), "server-µs/msg")
		})
	}
}

// BenchmarkIngestExternal sends 2 KB messages to the server at
// $INTRAY_SMTPD_BENCH_ADDR, for measuring a server run by hand (under
// strace or perf, say).
func BenchmarkIngestExternal(b *testing.B) {
	addr := os.Getenv("INTRAY_SMTPD_BENCH_ADDR")
	if addr == "" {
		b.Skip("INTRAY_SMTPD_BENCH_ADDR not set")
	}
	msg := benchMessage(2 << 10)
	benchIngest(b, addr, benchTransaction(msg, false), len(msg), 1)
}

// startServerProcess starts the server process and returns its address and
// a function that reads its CPU time so far.
func startServerProcess(b *testing.B) (string, func() time.Duration) {
	addr, pid := proccpu.StartChild(b, benchServerEnv)
	return addr, func() time.Duration {
		user, sys, err := proccpu.Times(pid)
		if err != nil {
			b.Fatal(err)
		}
		return user + sys
	}
}

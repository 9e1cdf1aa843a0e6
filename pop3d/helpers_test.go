package pop3d

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"intray/internal/selfsigned"
	"intray/memstore"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fakeStore is a Store with one INBOX per user key and injectable errors.
type fakeStore struct {
	mu         sync.Mutex
	boxes      map[string][]memstore.Entry // by memstore.UserKey
	snapErr    error
	entriesErr error
	removeErr  error
	removed    [][]uint32
}

func newFakeStore(raws ...string) *fakeStore {
	f := &fakeStore{boxes: map[string][]memstore.Entry{}}
	for i, r := range raws {
		f.boxes[memstore.CatchAll] = append(f.boxes[memstore.CatchAll], memstore.Entry{
			UID: uint32(i + 1),
			Msg: &memstore.Message{ID: "m" + string(rune('a'+i)), Raw: []byte(r)},
		})
	}
	return f
}

func (f *fakeStore) Snapshot(login, name string) (memstore.MailboxInfo, []memstore.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.snapErr != nil {
		return memstore.MailboxInfo{}, nil, f.snapErr
	}
	es := slices.Clone(f.boxes[memstore.UserKey(login)])
	return memstore.MailboxInfo{Name: name, UIDValidity: 7, Messages: len(es)}, es, nil
}

func (f *fakeStore) Entries(login, name string, uids []uint32) ([]memstore.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.entriesErr != nil {
		return nil, f.entriesErr
	}
	var out []memstore.Entry
	for _, e := range f.boxes[memstore.UserKey(login)] {
		if slices.Contains(uids, e.UID) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeStore) Remove(login, name string, uids []uint32) ([]uint32, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.removeErr != nil {
		return nil, f.removeErr
	}
	f.removed = append(f.removed, slices.Clone(uids))
	key := memstore.UserKey(login)
	f.boxes[key] = slices.DeleteFunc(f.boxes[key], func(e memstore.Entry) bool {
		return slices.Contains(uids, e.UID)
	})
	return uids, nil
}

// drop removes a message behind the sessions' backs.
func (f *fakeStore) drop(uid uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.boxes[memstore.CatchAll] = slices.DeleteFunc(f.boxes[memstore.CatchAll], func(e memstore.Entry) bool {
		return e.UID == uid
	})
}

// startServer serves srv on a fresh loopback listener and returns its
// address. Cleanup closes it and checks that Serve returned
// ErrServerClosed.
func startServer(t testing.TB, srv *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ln.Addr().String()
}

// testTLS returns a server config with a fresh self-signed certificate and
// a client config that trusts it.
func testTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	cert, err := selfsigned.New("")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	return &tls.Config{Certificates: []tls.Certificate{cert}},
		&tls.Config{RootCAs: pool, ServerName: "localhost"}
}

// client is a line-level POP3 test client.
type client struct {
	t        testing.TB
	nc       net.Conn
	r        *bufio.Reader
	greeting string
}

// dial connects and reads the greeting.
func dial(t testing.TB, addr string) *client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return newClient(t, nc)
}

func newClient(t testing.TB, nc net.Conn) *client {
	t.Helper()
	t.Cleanup(func() { _ = nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	c := &client{t: t, nc: nc, r: bufio.NewReader(nc)}
	c.greeting = c.line()
	if !strings.HasPrefix(c.greeting, "+OK ") {
		t.Fatalf("greeting %q", c.greeting)
	}
	return c
}

// send writes one command line (CRLF added unless s ends with LF).
func (c *client) send(s string) {
	c.t.Helper()
	if !strings.HasSuffix(s, "\n") {
		s += "\r\n"
	}
	if _, err := c.nc.Write([]byte(s)); err != nil {
		c.t.Fatalf("send %q: %v", s, err)
	}
}

// line reads one reply line without its CRLF.
func (c *client) line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, l)
	}
	if !strings.HasSuffix(l, "\r\n") {
		c.t.Fatalf("line %q does not end with CRLF", l)
	}
	return strings.TrimSuffix(l, "\r\n")
}

// multi reads the rest of a multi-line reply, terminator included, raw.
func (c *client) multi() string {
	c.t.Helper()
	var b strings.Builder
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("read multi-line: %v (got %q)", err, b.String()+l)
		}
		b.WriteString(l)
		if l == ".\r\n" {
			return b.String()
		}
	}
}

// cmd sends s and returns the reply line.
func (c *client) cmd(s string) string {
	c.t.Helper()
	c.send(s)
	return c.line()
}

// expect sends s and checks the reply line.
func (c *client) expect(s, want string) {
	c.t.Helper()
	if got := c.cmd(s); got != want {
		c.t.Fatalf("%s: got %q, want %q", s, got, want)
	}
}

// expectEOF checks that the server closed the connection.
func (c *client) expectEOF() {
	c.t.Helper()
	if l, err := c.r.ReadString('\n'); err == nil {
		c.t.Fatalf("got %q, want the connection closed", l)
	}
}

// unstuff returns a multi-line reply's data: without the terminator and with
// byte-stuffing removed.
func unstuff(reply string) string {
	reply = strings.TrimSuffix(reply, ".\r\n")
	lines := strings.SplitAfter(reply, "\r\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, ".")
	}
	return strings.Join(lines, "")
}

// step is one exchange of a transcript: send a line, then compare the reply
// line with want, or the whole reply (multi-line if it starts with +OK) with
// testdata/golden.
type step struct {
	send   string
	want   string
	golden string
}

// play runs a transcript on a fresh connection.
func play(t *testing.T, addr string, steps []step) *client {
	t.Helper()
	c := dial(t, addr)
	for i, s := range steps {
		if s.golden == "" {
			if got := c.cmd(s.send); got != s.want {
				t.Fatalf("step %d %q: got %q, want %q", i, s.send, got, s.want)
			}
			continue
		}
		first := c.cmd(s.send)
		got := first + "\r\n"
		if strings.HasPrefix(first, "+OK") {
			got += c.multi()
		}
		golden(t, s.golden, got)
	}
	return c
}

// golden compares got with testdata/name.golden, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s: got\n%q\nwant\n%q", path, got, want)
	}
}

// rawClient is a client for goroutines and benchmarks: it returns errors
// instead of failing a test.
type rawClient struct {
	net.Conn
	r *bufio.Reader
}

func rawDial(addr string) (*rawClient, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = nc.SetDeadline(time.Now().Add(time.Minute))
	c := &rawClient{Conn: nc, r: bufio.NewReaderSize(nc, 64<<10)}
	if l, err := c.line(); err != nil || !strings.HasPrefix(l, "+OK") {
		nc.Close()
		return nil, fmt.Errorf("greeting %q: %v", l, err)
	}
	return c, nil
}

func (c *rawClient) line() (string, error) {
	l, err := c.r.ReadString('\n')
	return strings.TrimSuffix(l, "\r\n"), err
}

func (c *rawClient) cmd(s string) (string, error) {
	if _, err := c.Write([]byte(s + "\r\n")); err != nil {
		return "", err
	}
	return c.line()
}

// multi reads a multi-line reply's data, unstuffed, without the terminator.
func (c *rawClient) multi() (string, error) {
	var b strings.Builder
	for {
		l, err := c.r.ReadSlice('\n')
		if err != nil {
			return b.String(), err
		}
		if len(l) == 3 && l[0] == '.' && l[1] == '\r' {
			return b.String(), nil
		}
		if l[0] == '.' {
			l = l[1:]
		}
		b.Write(l)
	}
}

func newReader(nc net.Conn) *bufio.Reader { return bufio.NewReader(nc) }

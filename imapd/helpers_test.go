package imapd

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"intray/internal/selfsigned"
	"intray/memstore"
)

// fixedNow is the store clock of the tests, so UIDVALIDITY and
// INTERNALDATE are reproducible in golden files.
var fixedNow = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// testEnv is a server on 127.0.0.1:0 with its store.
type testEnv struct {
	t     testing.TB
	srv   *Server
	store *memstore.Store
	addr  string
	done  chan error

	mu    sync.Mutex
	hooks map[string]chan struct{}
}

type envOption func(*Server)

func withTLS(t testing.TB) envOption {
	cert, err := selfsigned.New("")
	if err != nil {
		t.Fatal(err)
	}
	return func(s *Server) { s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}} }
}

func newEnv(t testing.TB, opts ...envOption) *testEnv {
	t.Helper()
	store := memstore.New(memstore.Options{Now: func() time.Time { return fixedNow }})
	env := &testEnv{t: t, store: store, done: make(chan error, 1), hooks: map[string]chan struct{}{}}
	env.srv = &Server{Store: store, Hostname: "test"}
	env.srv.testHook = env.fire
	for _, o := range opts {
		o(env.srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env.addr = ln.Addr().String()
	go func() { env.done <- env.srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = env.srv.Close()
		if err := <-env.done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return env
}

// hook returns a channel that receives each time a session reaches point.
func (env *testEnv) hook(point string) <-chan struct{} {
	env.mu.Lock()
	defer env.mu.Unlock()
	ch := env.hooks[point]
	if ch == nil {
		ch = make(chan struct{}, 16)
		env.hooks[point] = ch
	}
	return ch
}

func (env *testEnv) fire(point string) {
	env.mu.Lock()
	ch := env.hooks[point]
	env.mu.Unlock()
	if ch != nil {
		ch <- struct{}{}
	}
}

// add stores a message delivered to rcpts.
func (env *testEnv) add(raw string, rcpts ...string) *memstore.Message {
	env.t.Helper()
	m, err := env.store.Add(memstore.Envelope{MailFrom: "sender@example.com", RcptTo: rcpts}, []byte(raw))
	if err != nil {
		env.t.Fatal(err)
	}
	return m
}

// client dials with go-imap's client and logs in as user.
func (env *testEnv) client(user string) *imapclient.Client {
	env.t.Helper()
	c, err := imapclient.DialInsecure(env.addr, nil)
	if err != nil {
		env.t.Fatal(err)
	}
	env.t.Cleanup(func() { _ = c.Close() })
	if user != "" {
		if err := c.Login(user, "secret").Wait(); err != nil {
			env.t.Fatal(err)
		}
	}
	return c
}

// raw is a byte-level client.
type raw struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

func (env *testEnv) raw() *raw {
	env.t.Helper()
	nc, err := net.Dial("tcp", env.addr)
	if err != nil {
		env.t.Fatal(err)
	}
	env.t.Cleanup(func() { _ = nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	r := &raw{t: env.t, nc: nc, br: bufio.NewReader(nc)}
	return r
}

func (r *raw) send(s string) {
	r.t.Helper()
	if _, err := r.nc.Write([]byte(s)); err != nil {
		r.t.Fatal(err)
	}
}

// line reads one line, CRLF included.
func (r *raw) line() string {
	r.t.Helper()
	l, err := r.br.ReadString('\n')
	if err != nil {
		r.t.Fatalf("read: %v (got %q)", err, l)
	}
	return l
}

// until reads lines up to and including the first that starts with prefix.
func (r *raw) until(prefix string) string {
	r.t.Helper()
	var sb strings.Builder
	for {
		l := r.line()
		sb.WriteString(l)
		if strings.HasPrefix(l, prefix) {
			return sb.String()
		}
	}
}

// cmd sends a command line with tag and returns everything up to the
// tagged response.
func (r *raw) cmd(tag, line string) string {
	r.t.Helper()
	r.send(tag + " " + line + "\r\n")
	return r.until(tag + " ")
}

func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

const simpleMsg = "From: Alice <alice@example.com>\r\n" +
	"To: Bob <bob@example.com>\r\n" +
	"Subject: Hello there\r\n" +
	"Date: Fri, 01 Mar 2024 10:00:00 +0000\r\n" +
	"Message-ID: <1@example.com>\r\n" +
	"\r\n" +
	"Hi Bob,\r\nhow are you?\r\n"

// benchEnvelope is the envelope of benchmark messages.
var benchEnvelope = memstore.Envelope{MailFrom: "sender@example.com", RcptTo: []string{"bob@example.com"}}

func entryUID(u uint32) memstore.Entry { return memstore.Entry{UID: u} }

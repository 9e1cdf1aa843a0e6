package smtpd

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"flag"
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

// delivery is one message the fake store received.
type delivery struct {
	env memstore.Envelope
	raw []byte
}

// fakeStore records deliveries; safe for concurrent use. err, if set, is
// returned by Add instead of storing.
type fakeStore struct {
	mu   sync.Mutex
	got  []delivery
	err  error
	wake chan struct{} // if set, Add sends on it after storing...
	hold chan struct{} // ...and then waits for it to be closed, if set
}

func (s *fakeStore) Add(env memstore.Envelope, raw []byte) (*memstore.Message, error) {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return nil, s.err
	}
	s.got = append(s.got, delivery{env, slices.Clone(raw)}) // Store.Add copies, as memstore does
	wake, hold := s.wake, s.hold
	s.mu.Unlock()
	if wake != nil {
		wake <- struct{}{}
	}
	if hold != nil {
		<-hold
	}
	return &memstore.Message{ID: "x", Raw: raw, Envelope: env}, nil
}

func (s *fakeStore) all() []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]delivery(nil), s.got...)
}

func (s *fakeStore) last(t *testing.T) delivery {
	t.Helper()
	all := s.all()
	if len(all) == 0 {
		t.Fatal("no message stored")
	}
	return all[len(all)-1]
}

var (
	certOnce sync.Once
	testCert tls.Certificate
)

// tlsConfigs returns a server config with a self-signed certificate and a
// client config that trusts it.
func tlsConfigs(t testing.TB) (server, client *tls.Config) {
	certOnce.Do(func() {
		var err error
		if testCert, err = selfsigned.New("mx.test"); err != nil {
			panic(err)
		}
	})
	pool := x509.NewCertPool()
	pool.AddCert(testCert.Leaf)
	return &tls.Config{Certificates: []tls.Certificate{testCert}},
		&tls.Config{RootCAs: pool, ServerName: "localhost"}
}

// startServer serves a test server on 127.0.0.1:0 and closes it at the end
// of the test. configure may adjust the server before it starts.
func startServer(t testing.TB, configure func(*Server)) (*Server, *fakeStore, string) {
	t.Helper()
	store := &fakeStore{}
	srvTLS, _ := tlsConfigs(t)
	s := &Server{Hostname: "mx.test", Store: store, TLSConfig: srvTLS}
	if configure != nil {
		configure(s)
	}
	ln := listen(t)
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return s, store, ln.Addr().String()
}

// listen returns a listener on a free loopback port.
func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// client is a raw SMTP client for transcript tests.
type client struct {
	t  testing.TB
	nc net.Conn
	r  *bufio.Reader
}

func dial(t testing.TB, addr string) *client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
	c := &client{t: t, nc: nc, r: bufio.NewReader(nc)}
	c.expect("", "220 mx.test ESMTP intray\r\n")
	return c
}

func newReader(nc net.Conn) *bufio.Reader { return bufio.NewReader(nc) }

// readReply reads one (possibly multi-line) reply.
func (c *client) readReply() string {
	var b strings.Builder
	for {
		line, err := c.r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			b.WriteString("<" + err.Error() + ">")
			return b.String()
		}
		if len(line) < 4 || line[3] != '-' {
			return b.String()
		}
	}
}

// countReplies counts the replies in want: lines without a '-' after the
// code; a "<EOF>" marker expects the connection to close.
func countReplies(want string) int {
	n := 0
	for _, line := range strings.SplitAfter(want, "\r\n") {
		if len(line) >= 4 && line[3] != '-' || strings.HasPrefix(line, "<") {
			n++
		}
	}
	return n
}

// expect sends send (if any) and reads as many replies as want holds.
func (c *client) expect(send, want string) {
	c.t.Helper()
	if send != "" {
		if _, err := c.nc.Write([]byte(send)); err != nil {
			c.t.Fatalf("write %q: %v", send, err)
		}
	}
	var got strings.Builder
	for range countReplies(want) {
		got.WriteString(c.readReply())
	}
	if got.String() != want {
		c.t.Fatalf("sent %q\n got: %q\nwant: %q", send, got.String(), want)
	}
}

// step is one exchange of a transcript test: send (may be several pipelined
// commands or data), then the replies expected. A want of the form
// "golden:NAME" is compared with testdata/NAME.golden.
type step struct{ send, want string }

// play runs steps on a fresh connection.
func play(t *testing.T, addr string, steps []step) *client {
	t.Helper()
	c := dial(t, addr)
	for _, s := range steps {
		if name, ok := strings.CutPrefix(s.want, "golden:"); ok {
			c.expectGolden(s.send, name)
			continue
		}
		c.expect(s.send, s.want)
	}
	return c
}

// expectGolden sends send and compares the one reply it gets with
// testdata/NAME.golden, which -update rewrites.
func (c *client) expectGolden(send, name string) {
	c.t.Helper()
	if _, err := c.nc.Write([]byte(send)); err != nil {
		c.t.Fatal(err)
	}
	got := c.readReply()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			c.t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		c.t.Fatal(err)
	}
	if got != string(want) {
		c.t.Fatalf("sent %q\n got: %q\nwant (%s): %q", send, got, path, want)
	}
}

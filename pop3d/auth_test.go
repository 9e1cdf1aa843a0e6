package pop3d

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"intray/memstore"
)

func plain(authz, authc, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(authz + "\x00" + authc + "\x00" + pass))
}

func TestGreeting(t *testing.T) {
	addr := startServer(t, &Server{Store: newFakeStore(), Hostname: "mail.test"})
	a, b := dial(t, addr), dial(t, addr)
	re := regexp.MustCompile(`^\+OK intray POP3 server ready <[0-9a-f]{16}\.[0-9]+@mail\.test>$`)
	if !re.MatchString(a.greeting) {
		t.Errorf("greeting %q does not match %v", a.greeting, re)
	}
	if a.greeting == b.greeting {
		t.Errorf("two sessions got the same APOP timestamp %q", a.greeting)
	}
}

func TestAuthorizationTranscript(t *testing.T) {
	addr := startServer(t, &Server{Store: newFakeStore(msgPlain), TLSConfig: &tls.Config{}})
	ok := fmt.Sprintf("+OK maildrop has 1 messages (%d octets)", len(msgPlain))
	c := play(t, addr, []step{
		{send: "CAPA", golden: "capa-authorization"},
		{send: "AUTH", golden: "auth-list"},
		{send: "STAT", want: "-ERR command not valid in this state"},
		{send: "LIST", want: "-ERR command not valid in this state"},
		{send: "UIDL", want: "-ERR command not valid in this state"},
		{send: "RETR 1", want: "-ERR command not valid in this state"},
		{send: "TOP 1 1", want: "-ERR command not valid in this state"},
		{send: "DELE 1", want: "-ERR command not valid in this state"},
		{send: "RSET", want: "-ERR command not valid in this state"},
		{send: "NOOP", want: "-ERR command not valid in this state"},
		{send: "CAPA", golden: "capa-authorization"}, // resets the bad-command count
		{send: "PASS secret", want: "-ERR USER first"},
		{send: "USER", want: "-ERR syntax error"},
		{send: "USER a b", want: "-ERR syntax error"},
		{send: "APOP joe", want: "-ERR syntax error"},
		{send: "APOP joe nothex", want: "-ERR syntax error"},
		{send: "AUTH CRAM-MD5", want: "-ERR unsupported authentication mechanism"},
		{send: "AUTH PLAIN a b", want: "-ERR syntax error"},
		{send: "AUTH", golden: "auth-list"},
		{send: "AUTH PLAIN !!!", want: "-ERR malformed PLAIN response"},
		{send: "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("no nuls")), want: "-ERR malformed PLAIN response"},
		{send: "AUTH PLAIN " + plain("", "", "pw"), want: "-ERR malformed PLAIN response"},
		{send: "AUTH PLAIN " + plain("", "a\r\nb", "pw"), want: "-ERR malformed PLAIN response"},
		{send: "AUTH PLAIN =", want: "-ERR malformed PLAIN response"},
		{send: "AUTH PLAIN", want: "+ "},
		{send: "*", want: "-ERR authentication cancelled"},
		{send: "AUTH PLAIN", want: "+ "},
		{send: "%%%", want: "-ERR malformed PLAIN response"},
		{send: "CAPA x", want: "-ERR syntax error"},
		{send: "STLS x", want: "-ERR syntax error"},
		{send: "USER joe", want: "+OK send PASS"},
		{send: "PASS", want: "-ERR syntax error"},
		{send: "PASS pass word with spaces", want: ok},
	})
	c.expect("QUIT", "+OK intray POP3 server signing off (0 messages deleted)")
	c.expectEOF()
}

func TestQuitInAuthorization(t *testing.T) {
	c := dial(t, startServer(t, &Server{Store: newFakeStore()}))
	c.expect("QUIT", "+OK intray POP3 server signing off")
	c.expectEOF()
}

func TestSTLSUnavailable(t *testing.T) {
	c := play(t, startServer(t, &Server{Store: newFakeStore()}), []step{
		{send: "CAPA", golden: "capa-no-tls"},
		{send: "STLS", want: "-ERR STLS is not available"},
	})
	c.expect("QUIT", "+OK intray POP3 server signing off")
}

// TestLoginMethods logs in every way and checks which mailbox opens.
func TestLoginMethods(t *testing.T) {
	st := memstore.New(memstore.Options{})
	addMail(t, st, msgPlain, "bob@example.com")
	addMail(t, st, msgDots, "ann@example.com")
	addr := startServer(t, &Server{Store: st})
	bob := fmt.Sprintf("+OK maildrop has 1 messages (%d octets)", len(msgPlain))
	all := fmt.Sprintf("+OK maildrop has 2 messages (%d octets)", len(msgPlain)+len(msgDots))
	empty := "+OK maildrop has 0 messages (0 octets)"
	for _, tc := range []struct {
		name  string
		steps []string // the last reply is checked
		want  string
	}{
		{"USER/PASS recipient", []string{"USER Bob@Example.com", "PASS x"}, bob},
		{"USER/PASS catch-all", []string{"USER admin", "PASS x"}, all},
		{"USER/PASS unknown recipient", []string{"USER nobody@example.com", "PASS x"}, empty},
		{"APOP", []string{"APOP bob@example.com c4c9334bac560ecc979e58001b3e22fb"}, bob},
		{"AUTH PLAIN initial", []string{"AUTH PLAIN " + plain("", "bob@example.com", "pw")}, bob},
		{"AUTH PLAIN authzid", []string{"AUTH PLAIN " + plain("bob@example.com", "admin", "pw")}, bob},
		{"AUTH plain lower case", []string{"auth plain " + plain("", "admin", "pw")}, all},
		{"AUTH PLAIN continuation", []string{"AUTH PLAIN", plain("", "bob@example.com", "pw")}, bob},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, addr)
			var got string
			for _, s := range tc.steps {
				got = c.cmd(s)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			c.expect("QUIT", "+OK intray POP3 server signing off (0 messages deleted)")
		})
	}
}

func TestSTLS(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	addr := startServer(t, &Server{Store: newFakeStore(msgPlain), TLSConfig: serverTLS})
	c := dial(t, addr)
	c.expect("USER joe", "+OK send PASS") // forgotten by STLS
	c.expect("STLS", "+OK begin TLS negotiation")
	tc := tls.Client(c.nc, clientTLS)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	if !tc.ConnectionState().HandshakeComplete {
		t.Fatal("handshake not complete")
	}
	c.nc, c.r = tc, bufio.NewReader(tc)
	c.send("CAPA")
	golden(t, "capa-tls", c.line()+"\r\n"+c.multi())
	c.expect("STLS", "-ERR TLS is already active")
	c.expect("PASS x", "-ERR USER first")
	c.expect("USER joe", "+OK send PASS")
	c.expect("PASS x", fmt.Sprintf("+OK maildrop has 1 messages (%d octets)", len(msgPlain)))
	if got := unstuff(c.retrRaw(1)); got != msgPlain {
		t.Errorf("RETR over TLS: %q", got)
	}
	c.expect("QUIT", "+OK intray POP3 server signing off (0 messages deleted)")
}

// retrRaw sends RETR n and returns the multi-line data as sent.
func (c *client) retrRaw(n int) string {
	c.t.Helper()
	if got := c.cmd(fmt.Sprintf("RETR %d", n)); !strings.HasPrefix(got, "+OK") {
		c.t.Fatalf("RETR %d: %q", n, got)
	}
	return c.multi()
}

// TestSTLSDropsPipelinedPlaintext checks that commands sent in clear after
// STLS, in the same packet, are not run inside the TLS session
// (CVE-2011-0411-style injection).
func TestSTLSDropsPipelinedPlaintext(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	addr := startServer(t, &Server{Store: newFakeStore(msgPlain), TLSConfig: serverTLS})
	c := dial(t, addr)
	c.send("STLS\r\nUSER injected\r\n")
	if got := c.line(); got != "+OK begin TLS negotiation" {
		t.Fatalf("STLS: %q", got)
	}
	tc := tls.Client(c.nc, clientTLS)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.nc, c.r = tc, bufio.NewReader(tc)
	c.expect("PASS x", "-ERR USER first")
}

func TestSTLSHandshakeFailure(t *testing.T) {
	serverTLS, _ := testTLS(t)
	addr := startServer(t, &Server{Store: newFakeStore(), TLSConfig: serverTLS})
	c := dial(t, addr)
	c.expect("STLS", "+OK begin TLS negotiation")
	c.send("this is not a TLS client hello")
	c.expectEOF()
}

func TestImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	addr := startServer(t, &Server{Store: newFakeStore(msgDots), TLSConfig: serverTLS, ImplicitTLS: true})
	tc, err := tls.Dial("tcp", addr, clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, tc)
	c.send("CAPA")
	golden(t, "capa-tls", c.line()+"\r\n"+c.multi())
	c.expect("STLS", "-ERR TLS is already active")
	c.expect("USER joe", "+OK send PASS")
	c.cmd("PASS x")
	if got := unstuff(c.retrRaw(1)); got != msgDots {
		t.Errorf("RETR over POP3S: %q", got)
	}
	c.expect("QUIT", "+OK intray POP3 server signing off (0 messages deleted)")

	// A plaintext client gets nothing it can read as POP3.
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_, _ = nc.Write([]byte("CAPA\r\n"))
	if l, _ := bufio.NewReader(nc).ReadString('\n'); strings.HasPrefix(l, "+OK") {
		t.Errorf("plaintext client on POP3S got %q", l)
	}
}

func TestImplicitTLSNeedsConfig(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Store: newFakeStore(), ImplicitTLS: true}
	if err := srv.Serve(ln); err != errNoTLSConfig {
		t.Errorf("Serve = %v, want errNoTLSConfig", err)
	}
}

func TestDecodePlain(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{plain("", "bob", "pw"), "bob", true},
		{plain("ann@x", "bob", "pw"), "ann@x", true},
		{plain("", "bob", ""), "bob", true},
		{plain("", "", "pw"), "", false},
		{plain("a\x7f", "bob", "pw"), "", false},
		{base64.StdEncoding.EncodeToString([]byte("a\x00b\x00c\x00d")), "", false},
		{"not base64", "", false},
		{"", "", false},
	} {
		got, ok := decodePlain(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("decodePlain(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIdleTimeoutTLS(t *testing.T) {
	serverTLS, clientTLS := testTLS(t)
	addr := startServer(t, &Server{Store: newFakeStore(), TLSConfig: serverTLS, ImplicitTLS: true, IdleTimeout: 50 * time.Millisecond})
	tc, err := tls.Dial("tcp", addr, clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, tc)
	if got := c.line(); got != "-ERR autologout: idle for too long" {
		t.Errorf("got %q", got)
	}
	c.expectEOF()
}

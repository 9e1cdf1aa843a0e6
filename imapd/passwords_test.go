package imapd

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// withPasswords sets Server.Passwords to one user, names compared
// case-insensitively as intray's main does.
func withPasswords(s *Server) {
	s.Passwords = func(user string) (string, bool) {
		if strings.EqualFold(user, "bob@example.com") {
			return "s3cret:pw", true
		}
		return "", false
	}
}

func TestClientPasswords(t *testing.T) {
	env := newEnv(t, withPasswords)
	env.add(simpleMsg, "bob@example.com")
	c := env.client("")
	err := c.Login("bob@example.com", "wrong").Wait()
	var ierr *imap.Error
	if !asIMAPError(err, &ierr) || ierr.Type != imap.StatusResponseTypeNo || ierr.Code != imap.ResponseCodeAuthenticationFailed {
		t.Fatalf("LOGIN with a wrong password: %v", err)
	}
	if err := c.Login("nobody@example.com", "s3cret:pw").Wait(); err == nil {
		t.Fatal("LOGIN as an unknown user succeeded")
	}
	// The session goes on; the right password logs in.
	if err := c.Login("Bob@Example.com", "s3cret:pw").Wait(); err != nil {
		t.Fatalf("LOGIN with the right password: %v", err)
	}
	data, err := c.Select("INBOX", nil).Wait()
	if err != nil || data.NumMessages != 1 {
		t.Fatalf("SELECT: %v %v", data, err)
	}

	p := env.client("")
	if err := p.Authenticate(sasl.NewPlainClient("", "bob@example.com", "nope")); err == nil {
		t.Fatal("AUTHENTICATE PLAIN with a wrong password succeeded")
	}
	if err := p.Authenticate(sasl.NewPlainClient("", "bob@example.com", "s3cret:pw")); err != nil {
		t.Fatalf("AUTHENTICATE PLAIN: %v", err)
	}
}

func asIMAPError(err error, target **imap.Error) bool {
	e, ok := err.(*imap.Error)
	*target = e
	return ok
}

func TestPasswordsTranscript(t *testing.T) {
	env := newEnv(t, withPasswords)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	const refused = " NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"
	r := env.raw()
	r.line() // greeting
	for _, tc := range []struct{ tag, line, want string }{
		{"a1", `LOGIN bob@example.com wrong`, "a1" + refused},
		{"a2", `LOGIN bob@example.com "s3cret"`, "a2" + refused},
		{"a3", "NOOP", "a3 OK NOOP completed\r\n"}, // resets the count
		{"a4", "AUTHENTICATE PLAIN " + b64("\x00eve@example.com\x00s3cret:pw"), "a4" + refused},
		// bob may not act as someone else.
		{"a5", "AUTHENTICATE PLAIN " + b64("eve@example.com\x00bob@example.com\x00s3cret:pw"), "a5" + refused},
		{"a6", "AUTHENTICATE PLAIN " + b64("\x00bob@example.com\x00s3cret:pw"), "a6 OK [CAPABILITY "},
	} {
		if got := r.cmd(tc.tag, tc.line); !strings.HasPrefix(got, tc.want) {
			t.Fatalf("%s %s: got %q, want %q", tc.tag, tc.line, got, tc.want)
		}
	}

	// Guessing runs into the pre-login error limit.
	g := env.raw()
	g.line()
	for i := 1; i < maxPreAuthErrors; i++ {
		if got := g.cmd("g", "LOGIN bob@example.com guess"); got != "g"+refused {
			t.Fatalf("guess %d: %q", i, got)
		}
	}
	g.send("g LOGIN bob@example.com guess\r\n")
	if got := g.line() + g.line(); got != "g"+refused+"* BYE Too many invalid commands\r\n" {
		t.Fatalf("last guess: %q", got)
	}
}

// Without Passwords any password is accepted.
func TestNoPasswordsAcceptsAnything(t *testing.T) {
	env := newEnv(t)
	c, err := imapclient.DialInsecure(env.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("anyone", "anything").Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestAuthenticatePlainMalformed: the PLAIN message is checked as in smtpd
// and pop3d (sasl.ParsePlain), with or without passwords: an empty
// authentication identity, or a control byte in an identity, is refused.
func TestAuthenticatePlainMalformed(t *testing.T) {
	env := newEnv(t)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	const malformed = " NO [AUTHENTICATIONFAILED] Invalid PLAIN response\r\n"
	r := env.raw()
	r.line() // greeting
	for _, tc := range []struct{ tag, msg, want string }{
		{"a1", "admin\x00\x00pw", "a1" + malformed},
		{"a2", "\x00bo\r\nb@example.com\x00pw", "a2" + malformed},
		{"a3", "\x1b[2J\x00bob@example.com\x00pw", "a3" + malformed},
		{"a4", "\x00bob@example.com\x00pw", "a4 OK [CAPABILITY "},
	} {
		if got := r.cmd(tc.tag, "AUTHENTICATE PLAIN "+b64(tc.msg)); !strings.HasPrefix(got, tc.want) {
			t.Fatalf("%s %q: got %q, want %q", tc.tag, tc.msg, got, tc.want)
		}
	}
}

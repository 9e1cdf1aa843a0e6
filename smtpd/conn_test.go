package smtpd

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"intray/memstore"
)

func TestSessionBasics(t *testing.T) {
	_, store, addr := startServer(t, nil)
	play(t, addr, []step{
		{"EHLO client.test\r\n", "golden:ehlo"},
		{"HELO client.test\r\n", "250 mx.test\r\n"},
		{"NOOP\r\n", "250 2.0.0 OK\r\n"},
		{"NOOP whatever\r\n", "250 2.0.0 OK\r\n"},
		{"HELP\r\n", "golden:help"},
		{"VRFY bob\r\n", "252 2.1.5 Cannot verify, but will accept the message\r\n"},
		{"EXPN list\r\n", "502 5.5.1 Command not implemented\r\n"},
		{"MAIL FROM:<a@example.com>\r\n", "250 2.1.0 OK\r\n"},
		{"RCPT TO:<b@example.com>\r\n", "250 2.1.5 OK\r\n"},
		{"DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n"},
		{"Subject: hi\r\n\r\nbody\r\n.\r\n", "250 2.0.0 OK: queued\r\n"},
		{"QUIT\r\n", "221 2.0.0 Bye\r\n<EOF>"},
	})
	d := store.last(t)
	if string(d.raw) != "Subject: hi\r\n\r\nbody\r\n" {
		t.Errorf("raw = %q", d.raw)
	}
	want := memstore.Envelope{
		MailFrom: "a@example.com", RcptTo: []string{"b@example.com"}, Helo: "client.test",
		RemoteAddr: d.env.RemoteAddr,
		Transcript: "C: MAIL FROM:<a@example.com>\r\nS: 250 2.1.0 OK\r\n" +
			"C: RCPT TO:<b@example.com>\r\nS: 250 2.1.5 OK\r\n" +
			"C: DATA\r\nS: 354 End data with <CR><LF>.<CR><LF>\r\nS: 250 2.0.0 OK: queued\r\n",
	}
	if !strings.HasPrefix(d.env.RemoteAddr, "127.0.0.1:") || !envEqual(d.env, want) {
		t.Errorf("envelope\n got %#v\nwant %#v", d.env, want)
	}
}

func envEqual(a, b memstore.Envelope) bool {
	return a.MailFrom == b.MailFrom && strings.Join(a.RcptTo, ",") == strings.Join(b.RcptTo, ",") &&
		a.Helo == b.Helo && a.RemoteAddr == b.RemoteAddr && a.AuthUser == b.AuthUser &&
		a.TLS == b.TLS && a.Transcript == b.Transcript
}

func TestPipelining(t *testing.T) {
	_, store, addr := startServer(t, nil)
	c := play(t, addr, []step{
		{"EHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\nDATA\r\n",
			"golden:ehlo" /* checked below */},
	})
	c.expect("", "250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.1.5 OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
	// Two whole transactions in one write, the second with BDAT.
	c.expect("one\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<d@x>\r\nBDAT 5 LAST\r\ntwo\r\nNOOP\r\n",
		"250 2.0.0 OK: queued\r\n250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n250 2.0.0 OK\r\n")
	all := store.all()
	if len(all) != 2 || string(all[0].raw) != "one\r\n" || string(all[1].raw) != "two\r\n" ||
		len(all[0].env.RcptTo) != 2 || all[1].env.MailFrom != "" {
		t.Fatalf("stored %+v", all)
	}
}

func TestCommandErrors(t *testing.T) {
	_, _, addr := startServer(t, nil)
	play(t, addr, []step{
		{"FOO\r\n", "500 5.5.1 Command unrecognized\r\n"},
		{"\r\n", "500 5.5.1 Command unrecognized\r\n"},
		{"TOOLONGVERB x\r\n", "500 5.5.1 Command unrecognized\r\n"},
		{"noop\r\n", "250 2.0.0 OK\r\n"},
		{"SEND FROM:<a@x>\r\n", "502 5.5.1 Command not implemented\r\n"},
		{"SOML FROM:<a@x>\r\n", "502 5.5.1 Command not implemented\r\n"},
		{"SAML FROM:<a@x>\r\n", "502 5.5.1 Command not implemented\r\n"},
		{"TURN\r\n", "502 5.5.1 Command not implemented\r\n"},
		{"EHLO\r\n", "501 5.5.4 Syntax: EHLO domain\r\n"},
		{"HELO\r\n", "501 5.5.4 Syntax: EHLO domain\r\n"},
		{"VRFY\r\n", "501 5.5.4 Syntax: VRFY address\r\n"},
		{"NOOP\r\n", "250 2.0.0 OK\r\n"}, // keep under maxErrors in a row
		{"RCPT TO:<a@x>\r\n", "503 5.5.1 Need MAIL first\r\n"},
		{"DATA\r\n", "503 5.5.1 Need RCPT first\r\n"},
		{"RSET now\r\n", "501 5.5.4 No arguments allowed\r\n"},
		{"RSET\r\n", "250 2.0.0 OK\r\n"},
		{"MAIL FROM:<a@x>\r\n", "250 2.1.0 OK\r\n"},
		{"MAIL FROM:<a@x>\r\n", "503 5.5.1 Sender already specified\r\n"},
		{"DATA\r\n", "503 5.5.1 Need RCPT first\r\n"},
		{"STARTTLS\r\n", "503 5.5.1 Not allowed during a mail transaction\r\n"},
		{"AUTH PLAIN AGEAYg==\r\n", "503 5.5.1 Not allowed during a mail transaction\r\n"},
		{"RCPT TO:<b@x>\r\n", "250 2.1.5 OK\r\n"},
		{"DATA now\r\n", "501 5.5.4 No arguments allowed\r\n"},
		{"RSET\r\n", "250 2.0.0 OK\r\n"},
		{"QUIT\r\n", "221 2.0.0 Bye\r\n<EOF>"},
	})
}

// TestCRLFInjection checks that a CR, LF, NUL or other control byte inside
// a command never splits it into two commands or reaches an envelope, the
// stored transcript (where it could forge a server line) or the recorded
// AUTH identity.
func TestCRLFInjection(t *testing.T) {
	const bad = "500 5.5.2 Syntax error: bare CR or NUL in command\r\n"
	_, store, addr := startServer(t, nil)
	play(t, addr, []step{
		{"EHLO c\rMAIL FROM:<a@x>\r\n", bad},
		{"MAIL FROM:<a@x>\rRCPT TO:<evil@x>\r\n", bad},
		{"MAIL FROM:<a@x>\r\n", "250 2.1.0 OK\r\n"},
		{"RCPT TO:<b@x\r>\r\n", bad},
		{"RCPT TO:<b\x00@x>\r\n", bad},
		// A refused line is not recorded: it would forge a server line.
		{"NOOP x\rS: 250 2.0.0 OK: queued\x00\r\n", bad},
		// A line that parses is recorded with its control bytes escaped.
		{"NOOP a\tb\x1b[31m\x7f\r\n", "250 2.0.0 OK\r\n"},
		// A bare LF ends a command line (lenient, like most servers); it
		// cannot end DATA, so it is no smuggling vector.
		{"RCPT TO:<b@x>\nNOOP\n", "250 2.1.5 OK\r\n250 2.0.0 OK\r\n"},
		{"DATA\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n"},
		{"x\r\n.\r\n", "250 2.0.0 OK: queued\r\n"},
	})
	d := store.last(t)
	if d.env.MailFrom != "a@x" || len(d.env.RcptTo) != 1 || d.env.RcptTo[0] != "b@x" {
		t.Fatalf("envelope %+v", d.env)
	}
	wantTr := "C: MAIL FROM:<a@x>\r\nS: 250 2.1.0 OK\r\n" +
		"C: NOOP a\\x09b\\x1b[31m\\x7f\r\nS: 250 2.0.0 OK\r\n" +
		"C: RCPT TO:<b@x>\r\nS: 250 2.1.5 OK\r\n" +
		"C: NOOP\r\nS: 250 2.0.0 OK\r\n" +
		"C: DATA\r\nS: 354 End data with <CR><LF>.<CR><LF>\r\nS: 250 2.0.0 OK: queued\r\n"
	if d.env.Transcript != wantTr {
		t.Errorf("transcript\n got %q\nwant %q", d.env.Transcript, wantTr)
	}

	// AUTH identities with control bytes are refused, whatever the
	// mechanism, as pop3d's decodePlain refuses them.
	const malformed = "501 5.5.2 Malformed authentication response\r\n"
	c := play(t, addr, []step{
		{"AUTH PLAIN " + b64("\x00bob\r\nS: 250 x\x00pw") + "\r\n", malformed},
		{"AUTH PLAIN " + b64("\x00bob\x1b[2J\x00pw") + "\r\n", malformed},
		{"AUTH LOGIN " + b64("bob\x7f") + "\r\n", "334 UGFzc3dvcmQ6\r\n"},
		{b64("pw") + "\r\n", malformed},
	})
	c.nc.Write([]byte("AUTH CRAM-MD5\r\n"))
	if r := c.readReply(); !strings.HasPrefix(r, "334 ") {
		t.Fatalf("CRAM-MD5 challenge %q", r)
	}
	c.expect(b64("bob\ttab 0123")+"\r\n", malformed)
	c.expect("AUTH PLAIN "+b64("\x00b\xc3\xb6b\x00pw")+"\r\n", "235 2.7.0 Authentication successful\r\n")
	c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 1 LAST\r\nx",
		"250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n")
	if got := store.last(t).env.AuthUser; got != "b\u00f6b" {
		t.Errorf("AuthUser = %q", got)
	}
}

func TestLineTooLong(t *testing.T) {
	_, _, addr := startServer(t, nil)
	long := "NOOP " + strings.Repeat("x", maxCommandLine) + "\r\n"
	huge := "NOOP " + strings.Repeat("y", 100_000) + "\r\n" // longer than any buffer
	play(t, addr, []step{
		{"NOOP " + strings.Repeat("x", 500) + "\r\n", "250 2.0.0 OK\r\n"}, // over 512: lenient
		{long, "500 5.5.2 Line too long\r\n"},
		{huge, "500 5.5.2 Line too long\r\n"},
		{huge + "NOOP\r\n", "500 5.5.2 Line too long\r\n250 2.0.0 OK\r\n"},
		{"MAIL FROM:<a@x> " + strings.Repeat("X", maxAuthLine) + "\r\n", "500 5.5.2 Line too long\r\n"},
		{"NOOP\r\n", "250 2.0.0 OK\r\n"},
	})
}

func TestIdleTimeout(t *testing.T) {
	_, store, addr := startServer(t, func(s *Server) { s.IdleTimeout = 50 * time.Millisecond })
	dial(t, addr).expect("", "421 4.4.2 Idle timeout, closing connection\r\n<EOF>")
	// A client that stalls in the middle of DATA times out too.
	c := dial(t, addr)
	c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\nSubject: half a mess",
		"250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n"+
			"421 4.4.2 Idle timeout, closing connection\r\n<EOF>")
	if n := len(store.all()); n != 0 {
		t.Errorf("%d messages stored", n)
	}
}

// TestNegativeIdleTimeoutMeansDefault: as in pop3d and imapd, a negative
// IdleTimeout is the default, not a deadline already past.
func TestNegativeIdleTimeoutMeansDefault(t *testing.T) {
	_, store, addr := startServer(t, func(s *Server) { s.IdleTimeout = -time.Second })
	dial(t, addr).expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 2 LAST\r\nhiQUIT\r\n",
		"250 2.1.0 OK\r\n250 2.1.5 OK\r\n"+replyQueued+"221 2.0.0 Bye\r\n<EOF>")
	if n := len(store.all()); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
}

// TestHalfCloseGetsEveryReply: a client that pipelines commands and then
// closes its side at once still gets every reply before the server closes.
// Replies wait for the input to run dry (srvkit.FlushReader), and running
// into the end of input must not lose them.
func TestHalfCloseGetsEveryReply(t *testing.T) {
	_, store, addr := startServer(t, nil)
	for range 20 { // the end of input may come with the commands or after them
		c := dial(t, addr)
		if _, err := io.WriteString(c.nc, "NOOP\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 2 LAST\r\nhi"); err != nil {
			t.Fatal(err)
		}
		c.nc.(*net.TCPConn).CloseWrite()
		c.expect("", "250 2.0.0 OK\r\n250 2.1.0 OK\r\n250 2.1.5 OK\r\n"+replyQueued+"<EOF>")
	}
	if n := len(store.all()); n != 20 {
		t.Errorf("%d messages stored, want 20", n)
	}
}

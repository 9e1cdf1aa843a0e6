package smtpd

import (
	"fmt"
	"strings"
	"testing"
)

func TestMailFrom(t *testing.T) {
	ok := "250 2.1.0 OK\r\n"
	tests := []struct {
		arg, want, from string // from: the stored reverse-path, when ok
	}{
		{"FROM:<a@example.com>", ok, "a@example.com"},
		{"from:<A@Example.COM>", ok, "A@Example.COM"},
		{"FROM:<>", ok, ""},
		{"FROM: <a@x>", ok, "a@x"},                      // lenient: space after the colon
		{"FROM:a@x", ok, "a@x"},                         // lenient: no brackets
		{"FROM:<@ONE,@TWO:joe@three>", ok, "joe@three"}, // RFC 5321 appendix C
		{`FROM:<"john doe"@x>`, ok, `"john doe"@x`},
		{`FROM:<"a>b"@x>`, ok, `"a>b"@x`},
		{"FROM:<a@[192.0.2.1]>", ok, "a@[192.0.2.1]"},
		{"FROM:<a@x> SIZE=1000", ok, "a@x"},
		{"FROM:<a@x> BODY=8BITMIME", ok, "a@x"},
		{"FROM:<a@x> body=7bit", ok, "a@x"},
		{"FROM:<a@x> SMTPUTF8", ok, "a@x"},
		{"FROM:<a@x> AUTH=<>", ok, "a@x"},
		{"FROM:<a@x> AUTH=bob+40x  SIZE=5 BODY=8BITMIME SMTPUTF8", ok, "a@x"},
		{"FROM:<jøran@bø.example> SMTPUTF8", ok, "jøran@bø.example"},
		{"FROM:<jøran@x>", "553 5.6.7 Non-ASCII address requires SMTPUTF8\r\n", ""},
		{"FROM:<a@x> SIZE=26214401", "552 5.3.4 Message size exceeds fixed limit\r\n", ""},
		{"FROM:<a@x> SIZE=abc", "501 5.5.4 Bad parameter syntax\r\n", ""},
		{"FROM:<a@x> SIZE=", "501 5.5.4 Bad parameter syntax\r\n", ""},
		{"FROM:<a@x> SIZE=1 SIZE=2", "501 5.5.4 Duplicate parameter\r\n", ""},
		{"FROM:<a@x> BODY=BINARYMIME", "501 5.5.4 BODY must be 7BIT or 8BITMIME\r\n", ""},
		{"FROM:<a@x> SMTPUTF8=yes", "501 5.5.4 Bad parameter syntax\r\n", ""},
		{"FROM:<a@x> RET=FULL", "555 5.5.4 Unsupported parameter\r\n", ""},
		{"FROM:<a@x> =x", "501 5.5.4 Bad parameter syntax\r\n", ""},
		{"FROM:<a@x>SIZE=1", "501 5.5.4 Syntax: MAIL FROM:<address>\r\n", ""},
		{"FROM:<a@x", "501 5.5.4 Syntax: MAIL FROM:<address>\r\n", ""},
		{"FROM:", "501 5.5.4 Syntax: MAIL FROM:<address>\r\n", ""},
		{"TO:<a@x>", "501 5.5.4 Syntax: MAIL FROM:<address>\r\n", ""},
		{"", "501 5.5.4 Syntax: MAIL FROM:<address>\r\n", ""},
		{"FROM:<a b@x>", "501 5.1.7 Bad sender address syntax\r\n", ""},
		{"FROM:<a@>", "501 5.1.7 Bad sender address syntax\r\n", ""},
		{"FROM:<@x>", "501 5.1.7 Bad sender address syntax\r\n", ""},
		{"FROM:<ax>", "501 5.1.7 Bad sender address syntax\r\n", ""},
		{"FROM:<a@x,y>", "501 5.1.7 Bad sender address syntax\r\n", ""},
		{"FROM:<a@ex ample>", "501 5.1.7 Bad sender address syntax\r\n", ""},
		{`FROM:<"unterminated@x>`, "501 5.5.4 Syntax: MAIL FROM:<address>\r\n", ""},
		{"FROM:<@ONE,@TWO>", "501 5.1.7 Bad sender address syntax\r\n", ""},
		{"FROM:<\xff@x> SMTPUTF8", "501 5.1.7 Bad sender address syntax\r\n", ""},
		{"FROM:<" + strings.Repeat("a", maxPath) + "@x>", "501 5.1.7 Bad sender address syntax\r\n", ""},
	}
	_, store, addr := startServer(t, nil)
	c := dial(t, addr)
	for _, tt := range tests {
		c.expect("MAIL "+tt.arg+"\r\n", tt.want)
		if tt.want != ok {
			c.expect("NOOP\r\n", "250 2.0.0 OK\r\n") // stay under maxErrors
			continue
		}
		c.expect("RCPT TO:<r@x>\r\nBDAT 0 LAST\r\n", "250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n")
		if got := store.last(t).env.MailFrom; got != tt.from {
			t.Errorf("MAIL %s: stored %q, want %q", tt.arg, got, tt.from)
		}
	}
}

func TestRcptTo(t *testing.T) {
	ok := "250 2.1.5 OK\r\n"
	tests := []struct{ arg, want, to string }{
		{"TO:<b@example.com>", ok, "b@example.com"},
		{"to:<B@x>", ok, "B@x"},
		{"TO:<postmaster>", ok, "postmaster"},
		{"TO:<Postmaster>", ok, "Postmaster"},
		{"TO:<@hop1,@hop2:c@x>", ok, "c@x"},
		{"TO: <d@x>", ok, "d@x"},
		{"TO:<>", "501 5.1.3 Bad recipient address syntax\r\n", ""},
		{"TO:<user>", "501 5.1.3 Bad recipient address syntax\r\n", ""},
		{"TO:<b@x> NOTIFY=NEVER", "555 5.5.4 Unsupported parameter\r\n", ""},
		{"TO:<jøran@x>", "553 5.6.7 Non-ASCII address requires SMTPUTF8\r\n", ""},
		{"FROM:<b@x>", "501 5.5.4 Syntax: RCPT TO:<address>\r\n", ""},
		{"TO:<b@x>>", "501 5.5.4 Syntax: RCPT TO:<address>\r\n", ""},
	}
	_, store, addr := startServer(t, nil)
	c := dial(t, addr)
	c.expect("MAIL FROM:<a@x>\r\n", "250 2.1.0 OK\r\n")
	var want []string
	for _, tt := range tests {
		c.expect("RCPT "+tt.arg+"\r\n", tt.want)
		if tt.want == ok {
			want = append(want, tt.to)
		}
	}
	c.expect("BDAT 0 LAST\r\n", "250 2.0.0 OK: queued\r\n")
	if got := store.last(t).env.RcptTo; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("RcptTo = %q, want %q", got, want)
	}
	// With SMTPUTF8 on MAIL, UTF-8 recipients are fine.
	c.expect("MAIL FROM:<a@x> SMTPUTF8\r\nRCPT TO:<jøran@bø.example>\r\n", "250 2.1.0 OK\r\n"+ok)
}

func TestTooManyRecipients(t *testing.T) {
	_, store, addr := startServer(t, func(s *Server) { s.MaxRecipients = 3 })
	c := dial(t, addr)
	var send, want strings.Builder
	send.WriteString("MAIL FROM:<a@x>\r\n")
	want.WriteString("250 2.1.0 OK\r\n")
	for i := range 3 + maxErrors { // refusals must not count as errors
		fmt.Fprintf(&send, "RCPT TO:<r%d@x>\r\n", i)
		if i < 3 {
			want.WriteString("250 2.1.5 OK\r\n")
		} else {
			want.WriteString("452 4.5.3 Too many recipients\r\n")
		}
	}
	send.WriteString("DATA\r\n")
	want.WriteString("354 End data with <CR><LF>.<CR><LF>\r\n")
	c.expect(send.String(), want.String())
	c.expect("x\r\n.\r\n", "250 2.0.0 OK: queued\r\n")
	if got := store.last(t).env.RcptTo; len(got) != 3 {
		t.Errorf("RcptTo = %q", got)
	}
}

func TestHeloResetsTransaction(t *testing.T) {
	_, store, addr := startServer(t, nil)
	play(t, addr, []step{
		{"EHLO one\r\nMAIL FROM:<a@x>\r\n", "golden:ehlo"},
		{"", "250 2.1.0 OK\r\n"},
		{"HELO two\r\n", "250 mx.test\r\n"},
		{"RCPT TO:<b@x>\r\n", "503 5.5.1 Need MAIL first\r\n"},
		{"MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 0 LAST\r\n", "250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n"},
	})
	if h := store.last(t).env.Helo; h != "two" {
		t.Errorf("Helo = %q", h)
	}
}

// TestMailWithoutHelo: like Postfix by default, a client that skips
// HELO/EHLO may still send mail; Helo is then empty.
func TestMailWithoutHelo(t *testing.T) {
	_, store, addr := startServer(t, nil)
	dial(t, addr).expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 2 LAST\r\nhi",
		"250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n")
	if d := store.last(t); d.env.Helo != "" || string(d.raw) != "hi" {
		t.Errorf("stored %+v", d)
	}
}

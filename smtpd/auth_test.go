package smtpd

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestAuth(t *testing.T) {
	ok := "235 2.7.0 Authentication successful\r\n"
	tests := []struct {
		name  string
		steps []step
		user  string // AuthUser of a message sent afterwards; "-" for none
	}{
		{"plain initial response", []step{{"AUTH PLAIN " + b64("\x00bob\x00secret") + "\r\n", ok}}, "bob"},
		{"plain with authzid", []step{{"AUTH PLAIN " + b64("admin\x00bob\x00secret") + "\r\n", ok}}, "bob"},
		{"plain challenge", []step{
			{"AUTH PLAIN\r\n", "334 \r\n"},
			{b64("\x00alice@x\x00pw") + "\r\n", ok}}, "alice@x"},
		{"login", []step{
			{"auth login\r\n", "334 VXNlcm5hbWU6\r\n"},
			{b64("carol") + "\r\n", "334 UGFzc3dvcmQ6\r\n"},
			{b64("pw") + "\r\n", ok}}, "carol"},
		{"login initial response", []step{
			{"AUTH LOGIN " + b64("dave") + "\r\n", "334 UGFzc3dvcmQ6\r\n"},
			{b64("pw") + "\r\n", ok}}, "dave"},
		{"cancel", []step{
			{"AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n"},
			{"*\r\n", "501 5.0.0 Authentication cancelled\r\n"}}, "-"},
		{"cancel at password", []step{
			{"AUTH LOGIN " + b64("x") + "\r\n", "334 UGFzc3dvcmQ6\r\n"},
			{"*\r\n", "501 5.0.0 Authentication cancelled\r\n"}}, "-"},
		{"bad base64", []step{{"AUTH PLAIN !!!!\r\n", "501 5.5.2 Cannot decode response\r\n"}}, "-"},
		{"bad base64 in answer", []step{
			{"AUTH PLAIN\r\n", "334 \r\n"},
			{"AGJvYgBzZWNyZXQ\r\n", "501 5.5.2 Cannot decode response\r\n"}}, "-"},
		{"plain malformed", []step{{"AUTH PLAIN " + b64("bob:secret") + "\r\n", "501 5.5.2 Malformed authentication response\r\n"}}, "-"},
		{"plain empty", []step{{"AUTH PLAIN =\r\n", "501 5.5.2 Malformed authentication response\r\n"}}, "-"},
		{"plain without authcid", []step{{"AUTH PLAIN " + b64("admin\x00\x00secret") + "\r\n", "501 5.5.2 Malformed authentication response\r\n"}}, "-"},
		{"unknown mechanism", []step{{"AUTH XOAUTH2 abc\r\n", "504 5.5.4 Unrecognized authentication type\r\n"}}, "-"},
		{"cram-md5 initial response", []step{{"AUTH CRAM-MD5 " + b64("x y") + "\r\n", "501 5.7.0 Initial response not allowed for CRAM-MD5\r\n"}}, "-"},
		{"twice", []step{
			{"AUTH PLAIN " + b64("\x00eve\x00pw") + "\r\n", ok},
			{"AUTH PLAIN " + b64("\x00mallory\x00pw") + "\r\n", "503 5.5.1 Already authenticated\r\n"}}, "eve"},
		{"answer too long", []step{
			{"AUTH PLAIN\r\n", "334 \r\n"},
			{strings.Repeat("A", maxAuthLine+10) + "\r\nNOOP\r\n", "500 5.5.2 Line too long\r\n250 2.0.0 OK\r\n"}}, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, store, addr := startServer(t, nil)
			steps := append([]step{{"EHLO c\r\n", "golden:ehlo"}}, tt.steps...)
			steps = append(steps, step{"MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 1 LAST\r\nx",
				"250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n"})
			play(t, addr, steps)
			want := tt.user
			if want == "-" {
				want = ""
			}
			if got := store.last(t).env.AuthUser; got != want {
				t.Errorf("AuthUser = %q, want %q", got, want)
			}
		})
	}
}

func TestAuthCramMD5(t *testing.T) {
	_, store, addr := startServer(t, nil)
	c := dial(t, addr)
	c.expect("EHLO c\r\n", readGolden(t, "ehlo"))
	c.nc.Write([]byte("AUTH CRAM-MD5\r\n"))
	reply := c.readReply()
	challenge, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(reply, "334 ")))
	if err != nil || !strings.HasPrefix(string(challenge), "<") || !strings.HasSuffix(string(challenge), "@mx.test>") {
		t.Fatalf("challenge %q (%q): %v", reply, challenge, err)
	}
	c.expect(b64("frank 9f9e8d7c6b5a49382716051f2e3d4c5b")+"\r\n", "235 2.7.0 Authentication successful\r\n")
	c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 0 LAST\r\n", "250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n")
	if u := store.last(t).env.AuthUser; u != "frank" {
		t.Errorf("AuthUser = %q", u)
	}
}

// TestAuthNotInTranscript: credentials sent in a transaction never reach
// the stored transcript.
func TestAuthNotInTranscript(t *testing.T) {
	_, store, addr := startServer(t, nil)
	secret := b64("\x00bob\x00hunter2")
	dial(t, addr).expect("MAIL FROM:<a@x>\r\nAUTH PLAIN "+secret+"\r\nRCPT TO:<b@x>\r\nBDAT 0 LAST\r\n",
		"250 2.1.0 OK\r\n503 5.5.1 Not allowed during a mail transaction\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n")
	tr := store.last(t).env.Transcript
	if strings.Contains(tr, secret) || !strings.Contains(tr, "C: AUTH\r\nS: 503") {
		t.Errorf("transcript:\n%s", tr)
	}
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".golden"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStartTLS(t *testing.T) {
	_, store, addr := startServer(t, nil)
	_, clientTLS := tlsConfigs(t)
	c := play(t, addr, []step{
		{"EHLO c\r\n", "golden:ehlo"},
		{"STARTTLS now\r\n", "501 5.5.4 No arguments allowed\r\n"},
		{"AUTH PLAIN " + b64("\x00before\x00tls") + "\r\n", "235 2.7.0 Authentication successful\r\n"},
		// Commands pipelined behind STARTTLS were sent in clear text: the
		// server must drop them, not run them after the handshake.
		{"STARTTLS\r\nMAIL FROM:<injected@x>\r\n", "220 2.0.0 Ready to start TLS\r\n"},
	})
	tc := tls.Client(c.nc, clientTLS)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.nc, c.r = tc, bufio.NewReader(tc)
	for _, s := range []step{
		{"RCPT TO:<b@x>\r\n", "503 5.5.1 Need MAIL first\r\n"},
		{"EHLO c2\r\n", "golden:ehlo-tls"},
		{"STARTTLS\r\n", "503 5.5.1 Already running TLS\r\n"},
		{"MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 4 LAST\r\nsafe", "250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n"},
	} {
		if name, ok := strings.CutPrefix(s.want, "golden:"); ok {
			c.expectGolden(s.send, name)
			continue
		}
		c.expect(s.send, s.want)
	}
	d := store.last(t)
	// STARTTLS forgets HELO and AUTH (RFC 3207 4.2).
	if !d.env.TLS || d.env.Helo != "c2" || d.env.AuthUser != "" || d.env.MailFrom != "a@x" {
		t.Errorf("envelope %+v", d.env)
	}
}

func TestNoTLS(t *testing.T) {
	_, _, addr := startServer(t, func(s *Server) { s.TLSConfig = nil })
	play(t, addr, []step{
		{"EHLO c\r\n", "golden:ehlo-notls"},
		{"STARTTLS\r\n", "454 4.7.0 TLS not available\r\n"},
	})
}

func TestImplicitTLS(t *testing.T) {
	_, store, addr := startServer(t, func(s *Server) { s.ImplicitTLS = true })
	_, clientTLS := tlsConfigs(t)
	nc, err := tls.Dial("tcp", addr, clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := &client{t: t, nc: nc, r: bufio.NewReader(nc)}
	c.expect("", "220 mx.test ESMTP intray\r\n")
	c.expectGolden("EHLO c\r\n", "ehlo-tls")
	c.expect("STARTTLS\r\n", "503 5.5.1 Already running TLS\r\n")
	c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 2 LAST\r\nhi", "250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n")
	if !store.last(t).env.TLS {
		t.Error("TLS not recorded")
	}
}

// TestImplicitTLSRefuse: a refusal over MaxConns is spoken over TLS too.
func TestImplicitTLSRefuse(t *testing.T) {
	_, _, addr := startServer(t, func(s *Server) { s.ImplicitTLS, s.MaxConns = true, 1 })
	_, clientTLS := tlsConfigs(t)
	first, err := tls.Dial("tcp", addr, clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	c := &client{t: t, nc: first, r: bufio.NewReader(first)}
	c.expect("", "220 mx.test ESMTP intray\r\n")
	second, err := tls.Dial("tcp", addr, clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	c = &client{t: t, nc: second, r: bufio.NewReader(second)}
	c.expect("", replyTooBusy+"<EOF>")
}

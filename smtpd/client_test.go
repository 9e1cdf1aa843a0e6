package smtpd

// End-to-end tests through clients written by others: go-smtp's, the
// standard library's net/smtp, and curl.

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"intray/internal/clienttest"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

var testMsg = "From: a@example.com\r\nTo: b@example.com\r\nSubject: caf\xc3\xa9\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
	".dot first\r\n..two dots\r\n.\r\n\xe2\x82\xac 8-bit body\r\n" + "long " + strings.Repeat("x", 1200) + "\r\n"

// cramMD5 is a go-sasl client for CRAM-MD5, which go-sasl lacks.
type cramMD5 struct{ user, secret string }

func (a cramMD5) Start() (string, []byte, error) { return "CRAM-MD5", nil, nil }

func (a cramMD5) Next(challenge []byte) ([]byte, error) {
	mac := hmac.New(md5.New, []byte(a.secret))
	mac.Write(challenge)
	return []byte(a.user + " " + hex.EncodeToString(mac.Sum(nil))), nil
}

func TestGoSMTPClient(t *testing.T) {
	_, clientTLS := tlsConfigs(t)
	tests := []struct {
		name     string
		starttls bool
		auth     sasl.Client
		user     string
		utf8     bool
	}{
		{"plain", false, nil, "", false},
		{"starttls", true, nil, "", false},
		{"auth plain", false, sasl.NewPlainClient("", "pat", "pw"), "pat", false},
		{"auth login over tls", true, sasl.NewLoginClient("lou", "pw"), "lou", false},
		{"auth cram-md5", false, cramMD5{"cam", "pw"}, "cam", false},
		{"smtputf8", false, nil, "", true},
	}
	_, store, addr := startServer(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *gosmtp.Client
			var err error
			if tt.starttls {
				c, err = gosmtp.DialStartTLS(addr, clientTLS)
			} else {
				c, err = gosmtp.Dial(addr)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if tt.auth != nil {
				if err := c.Auth(tt.auth); err != nil {
					t.Fatal(err)
				}
			}
			from, to := "a@example.com", []string{"b@example.com", "Bcc@example.com"}
			if tt.utf8 {
				from, to = "jøran@bø.example", []string{"ünïcode@例え.jp"}
			}
			if err := c.Mail(from, &gosmtp.MailOptions{UTF8: tt.utf8, Size: int64(len(testMsg))}); err != nil {
				t.Fatal(err)
			}
			for _, r := range to {
				if err := c.Rcpt(r, nil); err != nil {
					t.Fatal(err)
				}
			}
			w, err := c.Data()
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(testMsg))
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := c.Quit(); err != nil {
				t.Fatal(err)
			}
			d := store.last(t)
			if string(d.raw) != testMsg {
				t.Errorf("stored %q", trunc(string(d.raw)))
			}
			if d.env.MailFrom != from || strings.Join(d.env.RcptTo, ",") != strings.Join(to, ",") ||
				d.env.TLS != tt.starttls || d.env.AuthUser != tt.user || d.env.Helo != "localhost" {
				t.Errorf("envelope %+v", d.env)
			}
		})
	}
}

func TestNetSMTPClient(t *testing.T) {
	_, clientTLS := tlsConfigs(t)
	tests := []struct {
		name     string
		starttls bool
		auth     smtp.Auth
		user     string
	}{
		{"plain", false, nil, ""},
		{"starttls", true, nil, ""},
		{"auth plain", false, smtp.PlainAuth("", "pia", "pw", "127.0.0.1"), "pia"},
		{"auth cram-md5 over tls", true, smtp.CRAMMD5Auth("cid", "pw"), "cid"},
	}
	_, store, addr := startServer(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := smtp.Dial(addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Hello("netsmtp.test"); err != nil {
				t.Fatal(err)
			}
			if tt.starttls {
				if err := c.StartTLS(clientTLS); err != nil {
					t.Fatal(err)
				}
			}
			if tt.auth != nil {
				if err := c.Auth(tt.auth); err != nil {
					t.Fatal(err)
				}
			}
			// net/smtp adds BODY=8BITMIME and SMTPUTF8 when offered.
			if err := c.Mail("sändare@example.com"); err != nil {
				t.Fatal(err)
			}
			if err := c.Rcpt("b@example.com"); err != nil {
				t.Fatal(err)
			}
			w, err := c.Data()
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(testMsg))
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if err := c.Quit(); err != nil {
				t.Fatal(err)
			}
			d := store.last(t)
			if string(d.raw) != testMsg || d.env.MailFrom != "sändare@example.com" ||
				d.env.TLS != tt.starttls || d.env.AuthUser != tt.user || d.env.Helo != "netsmtp.test" {
				t.Errorf("stored %+v", d.env)
			}
			if !strings.Contains(d.env.Transcript, "BODY=8BITMIME") || !strings.Contains(d.env.Transcript, "SMTPUTF8") {
				t.Errorf("transcript %q", d.env.Transcript)
			}
		})
	}
}

func TestCurl(t *testing.T) {
	curl := clienttest.Program(t, "curl")
	_, store, addr := startServer(t, nil)
	file := filepath.Join(t.TempDir(), "msg.eml")
	if err := os.WriteFile(file, []byte(testMsg), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(curl, "--silent", "--show-error", "smtp://"+addr,
		"--mail-from", "curl@example.com", "--mail-rcpt", "r1@example.com",
		"--mail-rcpt", "r2@example.com", "--upload-file", file).CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	d := store.last(t)
	if string(d.raw) != testMsg || d.env.MailFrom != "curl@example.com" || len(d.env.RcptTo) != 2 {
		t.Errorf("stored %+v %q", d.env, trunc(string(d.raw)))
	}
}

// TestCurlSMTPS covers implicit TLS with curl, if present.
func TestCurlSMTPS(t *testing.T) {
	curl := clienttest.Program(t, "curl")
	_, store, addr := startServer(t, func(s *Server) { s.ImplicitTLS = true })
	cmd := exec.Command(curl, "--silent", "--show-error", "--insecure", "smtps://"+addr,
		"--user", "curly:pw", "--mail-from", "c@example.com", "--mail-rcpt", "r@example.com",
		"--upload-file", "-")
	cmd.Stdin = strings.NewReader(testMsg)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	d := store.last(t)
	if string(d.raw) != testMsg || !d.env.TLS || d.env.AuthUser != "curly" {
		t.Errorf("stored %+v", d.env)
	}
}

package smtpd

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"intray/internal/clienttest"
)

// smtplibScript drives Python's standard smtplib, one mode at a time, and
// prints one JSON object with the replies it saw. The message bytes come
// from a file, so the test knows exactly what was sent.
const smtplibScript = `
import json, smtplib, ssl, sys
port, cafile, mode, msgfile = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
msg = open(msgfile, "rb").read()
ctx = ssl.create_default_context(cafile=cafile)
out = {}
if mode == "smtps":
    s = smtplib.SMTP_SSL("127.0.0.1", port, context=ctx, timeout=20)
else:
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
code, _ = s.ehlo("client.example")
out["ehlo"] = code
out["features"] = sorted(s.esmtp_features.keys())
if mode == "starttls":
    out["starttls"] = s.starttls(context=ctx)[0]
    s.ehlo("client.example")
    out["features_tls"] = sorted(s.esmtp_features.keys())
if mode in ("starttls", "smtps"):
    out["login"] = s.login("py-user", "any password")[0]
out["noop"] = s.noop()[0]
out["vrfy"] = s.verify("someone")[0]
if mode == "smtputf8":
    out["refused"] = s.sendmail("j\u00f6rg@example.com", ["r\u00e9ka@example.com"], msg, mail_options=["SMTPUTF8"])
else:
    out["refused"] = s.sendmail("py@example.com", ["ann@example.com", "Bob@Example.com"], msg)
out["rset"] = s.rset()[0]
out["quit"] = s.quit()[0]
print(json.dumps(out))
`

// smtplibMessage has what smtplib must carry through unchanged: a first
// line and other lines that start with a dot (it dot-stuffs them), a lone
// dot inside, a long line and 8-bit text.
const smtplibMessage = ".first line starts with a dot\r\n" +
	"From: Py <py@example.com>\r\nTo: ann@example.com\r\nSubject: smtplib\r\n\r\n" +
	"Hello from Python.\r\n.\r\n..two dots\r\nnot the end\r\n" +
	"Gr\xc3\xbc\xc3\x9fe, 8-bit text.\r\n" + "x" + "0123456789" + "\r\n"

type smtplibResult struct {
	EHLO        int
	Features    []string
	StartTLS    int      `json:"starttls"`
	FeaturesTLS []string `json:"features_tls"`
	Login       int
	Noop, Vrfy  int
	Refused     map[string]any
	Rset, Quit  int
}

func TestPythonSmtplib(t *testing.T) {
	python := clienttest.Program(t, "python3")
	caFile, msgFile := writeCA(t), filepath.Join(t.TempDir(), "msg.eml")
	msg := smtplibMessage + strings.Repeat("long line ", 200) + "\r\n"
	if err := os.WriteFile(msgFile, []byte(msg), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mode     string
		implicit bool
		from     string
		rcpts    []string
		tls      bool
		user     string
	}{
		{mode: "plain", from: "py@example.com", rcpts: []string{"ann@example.com", "Bob@Example.com"}},
		{mode: "starttls", from: "py@example.com", rcpts: []string{"ann@example.com", "Bob@Example.com"}, tls: true, user: "py-user"},
		{mode: "smtps", implicit: true, from: "py@example.com", rcpts: []string{"ann@example.com", "Bob@Example.com"}, tls: true, user: "py-user"},
		{mode: "smtputf8", from: "jörg@example.com", rcpts: []string{"réka@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			_, store, addr := startServer(t, func(s *Server) { s.ImplicitTLS = tt.implicit })
			_, port, _ := strings.Cut(addr, ":")
			var r smtplibResult
			clienttest.RunJSON(t, exec.Command(python, "-c", smtplibScript, port, caFile, tt.mode, msgFile), &r)
			for _, f := range []string{"8bitmime", "pipelining", "size", "smtputf8", "chunking"} {
				if !slices.Contains(r.Features, f) {
					t.Errorf("EHLO features %v lack %s", r.Features, f)
				}
			}
			if got := slices.Contains(r.Features, "starttls"); got == tt.implicit {
				t.Errorf("STARTTLS offered = %v with implicit TLS %v", got, tt.implicit)
			}
			if tt.mode == "starttls" && (r.StartTLS != 220 || slices.Contains(r.FeaturesTLS, "starttls")) {
				t.Errorf("STARTTLS %d, features after %v", r.StartTLS, r.FeaturesTLS)
			}
			if tt.user != "" && r.Login != 235 {
				t.Errorf("login: %d", r.Login)
			}
			if r.EHLO != 250 || r.Noop != 250 || r.Vrfy != 252 || r.Rset != 250 || r.Quit != 221 || len(r.Refused) != 0 {
				t.Errorf("replies %+v", r)
			}
			d := store.last(t)
			if string(d.raw) != msg {
				t.Errorf("stored bytes differ from what smtplib was given:\n got %q\nwant %q", d.raw, msg)
			}
			if d.env.MailFrom != tt.from || !slices.Equal(d.env.RcptTo, tt.rcpts) || d.env.Helo != "client.example" ||
				d.env.TLS != tt.tls || d.env.AuthUser != tt.user {
				t.Errorf("envelope %+v", d.env)
			}
		})
	}
}

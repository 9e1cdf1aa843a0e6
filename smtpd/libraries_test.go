package smtpd

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"intray/internal/clienttest"
)

// The tests in this file send with SMTP libraries of other languages, run
// as programs, in each TLS setting the README describes. nodemailer and
// PHPMailer upgrade on their own whenever STARTTLS is offered and then
// refuse the self-signed certificate; that case is kept so the README's
// warning stays true.

// writeCA writes the test server's certificate for clients told to trust
// it and returns the file's path.
func writeCA(t *testing.T) string {
	srvTLS, _ := tlsConfigs(t)
	return clienttest.CertFile(t, srvTLS.Certificates[0].Leaf.Raw)
}

// tlsCase is one TLS setting a library sends through.
type tlsCase struct {
	mode     string // passed to the client program
	noTLS    bool   // the server offers no STARTTLS (intray --starttls=false)
	implicit bool   // SMTPS
	failWith string // the client must fail with an error containing this
	wantTLS  bool
}

// libraryRcpts are the envelope recipients of what every library program
// sends (To, then Bcc); it also has an 8-bit subject, text and HTML parts
// and an attachment.
var libraryRcpts = []string{"dave@example.com", "hidden@example.com"}

// runLibrary runs program (which prints {"sent": bool, "error": string})
// with the port, the case's mode and the CA file, once per case, against a
// fresh server, and checks what the server stored.
func runLibrary(t *testing.T, cases []tlsCase, program func(port, mode, ca string) *exec.Cmd, user, helo string) {
	caFile := writeCA(t)
	for _, tc := range cases {
		name := tc.mode
		if tc.noTLS {
			name += "-without-starttls"
		}
		t.Run(name, func(t *testing.T) {
			_, store, addr := startServer(t, func(s *Server) {
				s.ImplicitTLS = tc.implicit
				if tc.noTLS {
					s.TLSConfig = nil
				}
			})
			_, port, _ := strings.Cut(addr, ":")
			var r struct {
				Sent  bool
				Error string
			}
			clienttest.RunJSON(t, program(port, tc.mode, caFile), &r)
			if tc.failWith != "" {
				if r.Sent || !strings.Contains(r.Error, tc.failWith) || len(store.all()) != 0 {
					t.Fatalf("sent %v (%q), %d stored; want a failure with %q", r.Sent, r.Error, len(store.all()), tc.failWith)
				}
				return
			}
			if !r.Sent {
				t.Fatalf("not sent: %s", r.Error)
			}
			d := store.last(t)
			if d.env.MailFrom != "sender@example.com" || !slices.Equal(d.env.RcptTo, libraryRcpts) ||
				(helo != "" && d.env.Helo != helo) || d.env.AuthUser != user || d.env.TLS != tc.wantTLS {
				t.Errorf("envelope %+v", d.env)
			}
			raw := strings.ToLower(string(d.raw))
			for _, part := range []string{"subject: =?utf-8?", "multipart/mixed", "text/html", "notes.txt", "\r\n\r\n"} {
				if !strings.Contains(raw, part) {
					t.Errorf("stored message lacks %q:\n%s", part, d.raw)
				}
			}
			if strings.Contains(raw, "hidden@example.com") {
				t.Error("Bcc leaked into the stored header")
			}
		})
	}
}

// TestNodemailer runs testdata/nodemailer/send.js with the nodemailer its
// lock file pins (.ci/run installs it with npm ci).
func TestNodemailer(t *testing.T) {
	node := clienttest.Program(t, "node")
	dir, _ := filepath.Abs(filepath.Join("testdata", "nodemailer"))
	clienttest.Require(t, filepath.Join(dir, "node_modules", "nodemailer"), "nodemailer (npm ci --prefix smtpd/testdata/nodemailer)")
	runLibrary(t, []tlsCase{
		{mode: "default", noTLS: true},
		{mode: "default", failWith: "certificate"},
		{mode: "ignoretls"},
		{mode: "insecure", wantTLS: true},
		{mode: "ca", wantTLS: true},
		{mode: "smtps", implicit: true, wantTLS: true},
	}, func(port, mode, ca string) *exec.Cmd {
		return exec.CommandContext(t.Context(), node, filepath.Join(dir, "send.js"), port, mode, ca)
	}, "node-user", "")
}

// TestPHPMailer runs testdata/phpmailer/send.php with Debian's
// libphp-phpmailer.
func TestPHPMailer(t *testing.T) {
	php := clienttest.Program(t, "php")
	clienttest.Require(t, "/usr/share/php/libphp-phpmailer/autoload.php", "PHPMailer (Debian: libphp-phpmailer)")
	script, _ := filepath.Abs(filepath.Join("testdata", "phpmailer", "send.php"))
	runLibrary(t, []tlsCase{
		{mode: "default", noTLS: true},
		{mode: "default", failWith: "SSL operation failed"},
		{mode: "noautotls"},
		{mode: "ca", wantTLS: true},
		{mode: "smtps", implicit: true, wantTLS: true},
	}, func(port, mode, ca string) *exec.Cmd {
		return exec.CommandContext(t.Context(), php, script, port, mode, ca)
	}, "php-user", "php.example")
}

package smtpd

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPHPMailer sends with PHPMailer (Debian's libphp-phpmailer, which
// .ci/run installs) in each TLS setting the README describes. Like
// nodemailer, PHPMailer upgrades on its own whenever STARTTLS is offered
// and then refuses the self-signed certificate; that case is kept so the
// README's warning stays true.
func TestPHPMailer(t *testing.T) {
	skip := t.Skip
	if os.Getenv("INTRAY_CLIENT_TESTS") != "" {
		skip = t.Fatal // CI has every client
	}
	php, err := exec.LookPath("php")
	if err != nil {
		skip("php not installed:", err)
	}
	if _, err := os.Stat("/usr/share/php/libphp-phpmailer/autoload.php"); err != nil {
		skip("PHPMailer not installed (Debian: libphp-phpmailer):", err)
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "phpmailer", "send.php"))
	srvTLS, _ := tlsConfigs(t)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvTLS.Certificates[0].Leaf.Raw})
	if err := os.WriteFile(caFile, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mode     string
		noTLS    bool // the server offers no STARTTLS (intray --starttls=false)
		implicit bool
		wantFail bool
		wantTLS  bool
	}{
		{mode: "default", noTLS: true},
		{mode: "default", wantFail: true},
		{mode: "noautotls"},
		{mode: "ca", wantTLS: true},
		{mode: "smtps", implicit: true, wantTLS: true},
	}
	for _, tt := range tests {
		name := tt.mode
		if tt.noTLS {
			name += "-without-starttls"
		}
		t.Run(name, func(t *testing.T) {
			_, store, addr := startServer(t, func(s *Server) {
				s.ImplicitTLS = tt.implicit
				if tt.noTLS {
					s.TLSConfig = nil
				}
			})
			_, port, _ := strings.Cut(addr, ":")
			out, err := exec.CommandContext(t.Context(), php, script, port, tt.mode, caFile).Output()
			if err != nil {
				t.Fatalf("php: %v\n%s", err, out)
			}
			var r struct {
				Sent  bool
				Error string
			}
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if tt.wantFail {
				if r.Sent || !strings.Contains(r.Error, "SSL operation failed") || len(store.all()) != 0 {
					t.Fatalf("sent %v (%q) with %d messages stored; want a refusal of the certificate", r.Sent, r.Error, len(store.all()))
				}
				return
			}
			if !r.Sent {
				t.Fatalf("PHPMailer: %s", r.Error)
			}
			d := store.last(t)
			want := []string{"dave@example.com", "hidden@example.com"}
			if d.env.MailFrom != "php@example.com" || !slices.Equal(d.env.RcptTo, want) || d.env.Helo != "php.example" ||
				d.env.AuthUser != "php-user" || d.env.TLS != tt.wantTLS {
				t.Errorf("envelope %+v", d.env)
			}
			raw := string(d.raw)
			for _, part := range []string{"subject: =?utf-8?", "multipart/mixed", "multipart/alternative", "text/html", "notes.txt"} {
				if !strings.Contains(strings.ToLower(raw), part) {
					t.Errorf("stored message lacks %q:\n%s", part, raw)
				}
			}
			if strings.Contains(raw, "hidden@example.com") {
				t.Error("Bcc leaked into the stored header")
			}
		})
	}
}

package smtpd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"intray/internal/clienttest"
)

// TestMutt sends with mutt in batch mode (Debian's mutt, which .ci/run
// installs) through its own SMTP client, in the settings the README gives
// mutt users. With its defaults mutt insists on TLS and, not being able to
// ask whether to trust the self-signed certificate in batch mode, fails;
// that case is kept so the README's advice stays true.
func TestMutt(t *testing.T) {
	mutt := clienttest.Program(t, "mutt")
	caFile := writeCA(t)
	body := "Hello from mutt.\n.a line with a dot\n"
	attachment := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(attachment, []byte("attached\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		scheme   string
		settings string // muttrc lines on TLS
		wantFail bool
		wantTLS  bool
	}{
		{name: "without TLS", scheme: "smtp", settings: "set ssl_starttls = no\nset ssl_force_tls = no\n"},
		{name: "STARTTLS, certificate trusted", scheme: "smtp", settings: "set ssl_ca_certificates_file = " + caFile + "\n", wantTLS: true},
		{name: "SMTPS, certificate trusted", scheme: "smtps", settings: "set ssl_ca_certificates_file = " + caFile + "\n", wantTLS: true},
		{name: "defaults", scheme: "smtp", wantFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, store, addr := startServer(t, func(s *Server) { s.ImplicitTLS = tt.scheme == "smtps" })
			rc := filepath.Join(t.TempDir(), "muttrc")
			conf := fmt.Sprintf("set smtp_url = \"%s://mutt-user@%s/\"\nset smtp_pass = \"any password\"\n"+
				"set from = \"mutt@example.com\"\nset realname = \"Mutt User\"\nset hostname = \"mutt.example\"\n"+
				"set record = \"\"\nset send_charset = \"utf-8\"\n%s", tt.scheme, addr, tt.settings)
			if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(t.Context(), mutt, "-n", "-F", rc, "-s", "Grüße from mutt", "-a", attachment, "--", "erin@example.com")
			cmd.Env = append(os.Environ(), "HOME="+filepath.Dir(rc))
			cmd.Stdin = strings.NewReader(body)
			out, err := cmd.CombinedOutput()
			if tt.wantFail {
				if err == nil || len(store.all()) != 0 {
					t.Fatalf("mutt sent (%v) and %d messages are stored; want a refusal:\n%s", err, len(store.all()), out)
				}
				return
			}
			if err != nil {
				t.Fatalf("mutt: %v\n%s", err, out)
			}
			d := store.last(t)
			if d.env.MailFrom != "mutt@example.com" || len(d.env.RcptTo) != 1 || d.env.RcptTo[0] != "erin@example.com" ||
				d.env.AuthUser != "mutt-user" || d.env.TLS != tt.wantTLS {
				t.Errorf("envelope %+v", d.env)
			}
			raw := string(d.raw)
			for _, part := range []string{"Subject: =?utf-8?", "multipart/mixed", "notes.txt", "\r\n.a line with a dot\r\n"} {
				if !strings.Contains(raw, part) {
					t.Errorf("stored message lacks %q:\n%s", part, raw)
				}
			}
		})
	}
}

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

// TestNodemailer sends with nodemailer (testdata/nodemailer, installed by
// .ci/run with npm ci) in each TLS setting the README describes. With
// STARTTLS offered and nodemailer's defaults, nodemailer upgrades on its
// own and refuses the self-signed certificate: the case the README warns
// about, kept here so the warning stays true.
func TestNodemailer(t *testing.T) {
	// Missing tools skip the test, unless INTRAY_CLIENT_TESTS is set (CI).
	skip := t.Skip
	if os.Getenv("INTRAY_CLIENT_TESTS") != "" {
		skip = t.Fatal
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node not installed:", err)
	}
	dir, _ := filepath.Abs(filepath.Join("testdata", "nodemailer"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "nodemailer")); err != nil {
		skip("nodemailer not installed (npm ci --prefix smtpd/testdata/nodemailer):", err)
	}
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
		wantErr  string // nodemailer's error code, if it must fail
		wantTLS  bool
	}{
		{mode: "default", noTLS: true},
		{mode: "default", wantErr: "ESOCKET"},
		{mode: "ignoretls"},
		{mode: "insecure", wantTLS: true},
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
			out, err := exec.CommandContext(t.Context(), node, filepath.Join(dir, "send.js"), port, tt.mode, caFile).Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			var r struct {
				Accepted []string
				Response string
				Error    string
				Message  string
			}
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if tt.wantErr != "" {
				if r.Error != tt.wantErr || !strings.Contains(r.Message, "certificate") || len(store.all()) != 0 {
					t.Fatalf("got %+v and %d messages, want error %s and none", r, len(store.all()), tt.wantErr)
				}
				return
			}
			if r.Error != "" || !strings.HasPrefix(r.Response, "250 ") || len(r.Accepted) != 3 {
				t.Fatalf("nodemailer: %+v", r)
			}
			d := store.last(t)
			want := []string{"ann@example.com", "bob@example.com", "hidden@example.com"}
			if d.env.MailFrom != "node@example.com" || !slices.Equal(d.env.RcptTo, want) || d.env.AuthUser != "node-user" || d.env.TLS != tt.wantTLS {
				t.Errorf("envelope %+v", d.env)
			}
			raw := string(d.raw)
			for _, part := range []string{"Subject: =?UTF-8?", "multipart/mixed", "text/html", `filename=notes.txt`, "\r\n\r\n"} {
				if !strings.Contains(raw, part) {
					t.Errorf("stored message lacks %q:\n%s", part, raw)
				}
			}
			if strings.Contains(raw, "hidden@example.com") {
				t.Error("Bcc leaked into the stored header")
			}
		})
	}
}

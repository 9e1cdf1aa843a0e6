package clienttest

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"intray/internal/selfsigned"
)

// recorder is a testing.TB that records Fatalf instead of stopping.
type recorder struct {
	testing.TB
	fatal   []string
	skipped bool
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = append(r.fatal, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatal(args ...any) { r.fatal = append(r.fatal, fmt.Sprint(args...)) }
func (r *recorder) Skip(args ...any)  { r.skipped = true }
func (r *recorder) Helper()           {}

func TestRunJSON(t *testing.T) {
	sh := Program(t, "sh")
	tests := []struct {
		name, script string
		want         int
		fatal        string // in the first failure, "" if none
	}{
		{"decodes", `echo '{"n": 7}'`, 7, ""},
		{"exit status with stderr", `echo broken >&2; exit 3`, 0, "broken"},
		{"not JSON", `echo hello`, 0, `printed "hello\n"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			var v struct{ N int }
			RunJSON(r, exec.Command(sh, "-c", tt.script), &v)
			switch {
			case tt.fatal == "" && len(r.fatal) > 0:
				t.Fatalf("failed: %v", r.fatal)
			case tt.fatal != "" && (len(r.fatal) == 0 || !strings.Contains(r.fatal[0], tt.fatal)):
				t.Fatalf("failures %q, want one with %q", r.fatal, tt.fatal)
			case v.N != tt.want:
				t.Fatalf("decoded %d, want %d", v.N, tt.want)
			}
		})
	}
}

func TestCertFile(t *testing.T) {
	cert, err := selfsigned.New("")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(CertFile(t, cert.Leaf.Raw))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("not a PEM certificate: %q", data)
	}
	if got, err := x509.ParseCertificate(block.Bytes); err != nil || !got.Equal(cert.Leaf) {
		t.Fatalf("certificate differs: %v", err)
	}
}

func TestProgramMissing(t *testing.T) {
	for _, tt := range []struct {
		env            string
		skip, failWith bool
	}{{"", true, false}, {"1", false, true}} {
		t.Setenv("INTRAY_CLIENT_TESTS", tt.env)
		r := &recorder{TB: t}
		Program(r, "no-such-client-program")
		if r.skipped != tt.skip || (len(r.fatal) > 0) != tt.failWith {
			t.Errorf("INTRAY_CLIENT_TESTS=%q: skipped %v, failed %q", tt.env, r.skipped, r.fatal)
		}
	}
}

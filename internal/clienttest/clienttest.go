// Package clienttest helps tests drive independent mail clients that run as
// programs: curl, Python's standard library, Node.js, PHP, Java and mutt.
// Where a client is missing its test skips, except under
// INTRAY_CLIENT_TESTS=1 (set by .ci/run, which installs every client),
// where that is a failure.
package clienttest

import (
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// SkipOrFail returns tb.Skip, or tb.Fatal under INTRAY_CLIENT_TESTS.
func SkipOrFail(tb testing.TB) func(args ...any) {
	if os.Getenv("INTRAY_CLIENT_TESTS") != "" {
		return tb.Fatal
	}
	return tb.Skip
}

// Program returns the path of the program name, and skips (or fails) the
// test when it is not installed.
func Program(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		SkipOrFail(tb)(name, "not installed:", err)
	}
	return path
}

// Require skips (or fails) the test unless the file a client needs, such
// as a library installed by a package, exists.
func Require(tb testing.TB, file, what string) {
	tb.Helper()
	if _, err := os.Stat(file); err != nil {
		SkipOrFail(tb)(what, "not installed:", err)
	}
}

// CertFile writes a DER certificate as PEM to a temporary file, for a
// client told to trust it, and returns the file's path.
func CertFile(tb testing.TB, der []byte) string {
	tb.Helper()
	file := filepath.Join(tb.TempDir(), "ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		tb.Fatal(err)
	}
	return file
}

// RunJSON runs cmd and decodes the JSON it prints into v. A program that
// fails, or prints something else, fails the test with what it wrote.
func RunJSON(tb testing.TB, cmd *exec.Cmd, v any) {
	tb.Helper()
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		tb.Fatalf("%s: %v\n%s%s", filepath.Base(cmd.Path), err, out, stderr)
	}
	if err := json.Unmarshal(out, v); err != nil {
		tb.Fatalf("%s printed %q: %v", filepath.Base(cmd.Path), out, err)
	}
}

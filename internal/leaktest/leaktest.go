// Package leaktest lets a server's tests check that Shutdown or Close left
// none of the server's goroutines behind. It is a test helper, imported
// only by _test.go files.
package leaktest

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

// Check fails t if a goroutine other than the caller's is blocked in code
// of one of pkgs (import paths, such as "intray/smtpd"), and reports their
// stacks.
//
// Call it right after Shutdown or Close (and after Serve has returned):
// they already wait until every session goroutine has done its last piece
// of work, so the only goroutines of the server that may still exist are
// between that last statement and their exit: running or runnable, never
// blocked. A leaked goroutine is blocked (in a read, a channel operation, a
// lock), so Check looks once, without waiting or sleeping.
func Check(t testing.TB, pkgs ...string) {
	t.Helper()
	if left := Find(pkgs...); len(left) > 0 {
		t.Fatalf("%d goroutines left behind:\n\n%s", len(left), strings.Join(left, "\n\n"))
	}
}

// Find returns the stacks of the blocked goroutines that have a frame in
// one of pkgs, except the caller's and the test goroutines (which run
// testing.tRunner or testing.(*M).Run: the caller's parents, waiting for
// their subtests). Running and runnable goroutines are left out: they are
// on their way out (see Check).
func Find(pkgs ...string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var left []string
	for i, g := range bytes.Split(buf, []byte("\n\n")) {
		if i == 0 {
			continue // runtime.Stack lists the caller's goroutine first
		}
		if isTest(g) || !blocked(g) {
			continue
		}
		if inPackages(g, pkgs) {
			left = append(left, string(g))
		}
	}
	return left
}

// inPackages reports whether a goroutine's stack has a function of one of
// pkgs: a line that starts with "pkg." (a function or method) at the start
// of a frame.
func inPackages(stack []byte, pkgs []string) bool {
	for _, line := range bytes.Split(stack, []byte("\n")) {
		for _, p := range pkgs {
			if bytes.HasPrefix(line, []byte(p+".")) {
				return true
			}
		}
	}
	return false
}

// isTest reports whether a goroutine's stack is a test's: it runs
// testing.tRunner or testing.(*M).Run, which a server goroutine never does.
func isTest(stack []byte) bool {
	return bytes.Contains(stack, []byte("\ntesting.tRunner(")) ||
		bytes.Contains(stack, []byte("\ntesting.(*M).Run("))
}

// blocked reports whether a goroutine's header line ("goroutine 7 [chan
// receive, 2 minutes]:") shows it waiting rather than running or runnable.
func blocked(g []byte) bool {
	header, _, _ := bytes.Cut(g, []byte("\n"))
	_, status, _ := bytes.Cut(header, []byte("["))
	status, _, _ = bytes.Cut(status, []byte("]"))
	status, _, _ = bytes.Cut(status, []byte(","))
	s := string(status)
	return s != "running" && s != "runnable"
}

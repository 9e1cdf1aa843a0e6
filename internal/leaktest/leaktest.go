// Package leaktest lets a server's tests check that Shutdown or Close left
// none of the server's goroutines behind. It is a test helper, imported
// only by _test.go files.
package leaktest

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"
)

// settle bounds the wait for goroutines that have finished their work but
// not yet exited; see Check.
const settle = 200 * time.Millisecond

// Check fails t if a goroutine other than the caller's is running code of
// one of pkgs (import paths, such as "intray/smtpd"), and reports their
// stacks.
//
// Call it right after Shutdown or Close (and after Serve has returned):
// they already wait until every session goroutine has done its last piece
// of work (the tracker's bookkeeping that lets them return), so nothing of
// the server may be left but goroutines between that last statement and
// their exit. Only for that teardown, which the scheduler completes in
// microseconds, Check looks again, yielding, for at most 200 ms; a real
// leak (a goroutine blocked in the server) fails every look.
func Check(t testing.TB, pkgs ...string) {
	t.Helper()
	deadline := time.Now().Add(settle)
	for {
		left := Find(pkgs...)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left behind:\n\n%s", len(left), strings.Join(left, "\n\n"))
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// Find returns the stacks of the goroutines that have a frame in one of
// pkgs, except the caller's and the test goroutines (which run
// testing.tRunner or testing.(*M).Run: the caller's parents, waiting for
// their subtests).
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
		if isTest(g) {
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

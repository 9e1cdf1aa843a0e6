package pop3d

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"intray/internal/clienttest"
)

// testPasswords is a Server.Passwords with one user, names compared
// case-insensitively as intray's main does.
func testPasswords(user string) (string, bool) {
	if strings.EqualFold(user, "bob") {
		return "s3cret:pw", true
	}
	return "", false
}

const refused = "-ERR [AUTH] invalid user name or password"

func TestPasswordsUserPass(t *testing.T) {
	addr := startServer(t, &Server{Store: newFakeStore(msgPlain), Passwords: testPasswords})
	ok := fmt.Sprintf("+OK maildrop has 1 messages (%d octets)", len(msgPlain))
	c := play(t, addr, []step{
		{send: "USER bob", want: "+OK send PASS"},
		{send: "PASS wrong", want: refused},
		{send: "PASS s3cret:pw", want: "-ERR USER first"}, // a refused PASS ends the USER
		{send: "USER nobody", want: "+OK send PASS"},
		{send: "PASS s3cret:pw", want: refused},
		{send: "USER bob", want: "+OK send PASS"},
		{send: "PASS s3cret", want: refused},
		{send: "USER BOB", want: "+OK send PASS"},
		{send: "PASS s3cret:pw", want: ok},
	})
	c.expect("QUIT", "+OK intray POP3 server signing off (0 messages deleted)")
	c.expectEOF()
}

func TestPasswordsAPOP(t *testing.T) {
	addr := startServer(t, &Server{Store: newFakeStore(msgPlain), Passwords: testPasswords})
	c := dial(t, addr)
	ts := regexp.MustCompile(`<[^>]+>`).FindString(c.greeting)
	digest := func(pass string) string {
		sum := md5.Sum([]byte(ts + pass))
		return hex.EncodeToString(sum[:])
	}
	c.expect("APOP bob "+digest("wrong"), refused)
	c.expect("APOP nobody "+digest("s3cret:pw"), refused)
	c.expect("APOP bob "+strings.Repeat("0", 32), refused)
	c.expect("APOP bob "+strings.ToUpper(digest("s3cret:pw")),
		fmt.Sprintf("+OK maildrop has 1 messages (%d octets)", len(msgPlain)))
	c.expect("QUIT", "+OK intray POP3 server signing off (0 messages deleted)")

	// Another session has another timestamp: the old digest is refused.
	d := dial(t, addr)
	d.expect("APOP bob "+digest("s3cret:pw"), refused)
}

func TestPasswordsAuthPlain(t *testing.T) {
	addr := startServer(t, &Server{Store: newFakeStore(msgPlain), Passwords: testPasswords})
	ok := fmt.Sprintf("+OK maildrop has 1 messages (%d octets)", len(msgPlain))
	c := play(t, addr, []step{
		{send: "AUTH PLAIN " + plain("", "bob", "wrong"), want: refused},
		{send: "AUTH PLAIN " + plain("", "eve", "s3cret:pw"), want: refused},
		// bob may not log in as someone else.
		{send: "AUTH PLAIN " + plain("eve", "bob", "s3cret:pw"), want: refused},
		{send: "AUTH PLAIN", want: "+ "},
		{send: plain("", "bob", "nope"), want: refused},
		{send: "AUTH PLAIN " + plain("Bob", "bob", "s3cret:pw"), want: ok},
	})
	c.expect("QUIT", "+OK intray POP3 server signing off (0 messages deleted)")
	c.expectEOF()
}

func TestPasswordsTooManyFailures(t *testing.T) {
	addr := startServer(t, &Server{Store: newFakeStore(), Passwords: testPasswords})
	c := dial(t, addr)
	for i := 0; i < maxBadCommands-1; i++ {
		c.expect("AUTH PLAIN "+plain("", "bob", "guess"), refused)
	}
	c.send("AUTH PLAIN " + plain("", "bob", "guess"))
	if got := c.line(); got != refused {
		t.Fatalf("last guess: %q", got)
	}
	if got := c.line(); got != "-ERR too many bad commands, closing connection" {
		t.Fatalf("after %d guesses: %q", maxBadCommands, got)
	}
	c.expectEOF()
}

// Without Passwords any password and any digest are accepted.
func TestNoPasswordsAcceptsAnything(t *testing.T) {
	addr := startServer(t, &Server{Store: newFakeStore()})
	c := dial(t, addr)
	c.expect("APOP nobody "+strings.Repeat("a", 32), "+OK maildrop has 0 messages (0 octets)")
	d := dial(t, addr)
	d.expect("AUTH PLAIN "+plain("x", "y", "z"), "+OK maildrop has 0 messages (0 octets)")
}

func TestCurlPasswords(t *testing.T) {
	clienttest.Program(t, "curl")
	addr := startServer(t, &Server{Store: e2eStore(t), Passwords: testPasswords})
	base := "pop3://127.0.0.1:" + port(addr)
	if got := curl(t, base+"/1", "-u", "bob:s3cret:pw"); got != msgPlain {
		t.Errorf("curl USER/PASS RETR 1 = %q", got)
	}
	if got := curl(t, base+"/1", "-u", "bob:s3cret:pw", "--login-options", "AUTH=PLAIN"); got != msgPlain {
		t.Errorf("curl AUTH PLAIN RETR 1 = %q", got)
	}
	for _, opts := range [][]string{nil, {"--login-options", "AUTH=PLAIN"}} {
		cmd := exec.Command("curl", append([]string{"-sS", "--max-time", "20", base + "/1", "-u", "bob:wrong"}, opts...)...)
		out, err := cmd.CombinedOutput()
		// curl exits with 67 (CURLE_LOGIN_DENIED) when the login is refused.
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 67 {
			t.Errorf("curl with a wrong password %v: %v %s", opts, err, out)
		}
	}
}

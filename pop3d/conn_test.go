package pop3d

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"intray/memstore"
)

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		line, verb, args string
		err              error
	}{
		{"STAT\r\n", "STAT", "", nil},
		{"stat\n", "STAT", "", nil},
		{"Retr 1\r\n", "RETR", "1", nil},
		{"PASS  two  spaces \r\n", "PASS", " two  spaces ", nil},
		{"TOP 1 10", "TOP", "1 10", nil},
		{"AUTH PLAIN AGJvYgBwdw==\r\n", "AUTH", "PLAIN AGJvYgBwdw==", nil},
		{"\r\n", "", "", errSyntax},
		{" STAT\r\n", "", "", errSyntax},
		{"ST4T\r\n", "", "", errSyntax},
		{"STAT\x00\r\n", "", "", errSyntax},
		{"USER a\rb\r\n", "", "", errSyntax},
		{"USER a\nb\r\n", "", "", errSyntax},
		{strings.Repeat("A", maxVerb+1), "", "", errSyntax},
		{"ÄÖ x", "", "", errSyntax},
	} {
		verb, args, err := parseCommand([]byte(tc.line))
		if verb != tc.verb || args != tc.args || err != tc.err {
			t.Errorf("parseCommand(%q) = %q, %q, %v; want %q, %q, %v", tc.line, verb, args, err, tc.verb, tc.args, tc.err)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"STAT\r\n", "retr 1\r\n", "PASS a b c\n", "TOP 1 2", "\x00", "A\rB", "UIDL 99999999999\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		verb, args, err := parseCommand(line)
		if err != nil {
			if verb != "" || args != "" {
				t.Fatalf("error %v with results %q %q", err, verb, args)
			}
			return
		}
		if verb == "" || len(verb) > maxVerb || strings.ToUpper(verb) != verb {
			t.Fatalf("bad verb %q", verb)
		}
		if strings.ContainsAny(args, "\x00\r\n") {
			t.Fatalf("args %q carry a line break or NUL", args)
		}
		// The verb and arguments are the line, re-joined.
		joined := verb
		if args != "" || bytes.Contains(line, []byte(" ")) {
			joined += " " + args
		}
		trimmed := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
		if !strings.EqualFold(joined, trimmed) {
			t.Fatalf("%q parsed as %q %q", line, verb, args)
		}
		if _, ok := parseMsgNum(args); ok && len(args) > 9 {
			t.Fatalf("parseMsgNum accepted %q", args)
		}
	})
}

func TestStateString(t *testing.T) {
	for s, want := range map[state]string{
		stateAuthorization: "AUTHORIZATION", stateTransaction: "TRANSACTION",
		stateUpdate: "UPDATE", 0: "state(0)",
	} {
		if s.String() != want {
			t.Errorf("%d.String() = %q, want %q", s, s.String(), want)
		}
	}
}

func TestTooManyBadCommands(t *testing.T) {
	c := dial(t, startServer(t, &Server{Store: newFakeStore()}))
	for i := range maxBadCommands - 1 {
		c.expect(fmt.Sprintf("BAD%c", 'A'+i), "-ERR unknown command")
	}
	c.expect("CAPA", "+OK capability list follows") // a good command resets the count
	c.multi()
	for range maxBadCommands - 1 {
		c.expect("STAT", "-ERR command not valid in this state")
	}
	c.expect("", "-ERR syntax error")
	if got := c.line(); got != "-ERR too many bad commands, closing connection" {
		t.Fatalf("got %q", got)
	}
	c.expectEOF()
}

func TestLineTooLong(t *testing.T) {
	c := dial(t, startServer(t, &Server{Store: newFakeStore(msgPlain)}))
	c.expect("USER "+strings.Repeat("x", maxCommandLine), "-ERR line too long")
	// Longer than the read buffer: the rest of the line is skipped.
	c.expect("USER "+strings.Repeat("y", 3*readBufferSize), "-ERR line too long")
	c.expect("USER "+strings.Repeat("z", 255-len("USER \r\n")), "+OK send PASS")
	c.expect("AUTH PLAIN", "+ ")
	c.expect(strings.Repeat("A", maxSASLLine), "-ERR line too long")
	c.expect("USER joe", "+OK send PASS")
	c.expect("PASS x", fmt.Sprintf("+OK maildrop has 1 messages (%d octets)", len(msgPlain)))
}

// TestPipelining sends a whole session in one write.
func TestPipelining(t *testing.T) {
	c := dial(t, startServer(t, &Server{Store: newFakeStore(msgPlain, msgDots)}))
	c.send("USER joe\r\nPASS x\r\nSTAT\r\nRETR 2\r\nLIST 1\r\nDELE 1\r\nQUIT\r\n")
	var got strings.Builder
	for range 3 {
		got.WriteString(c.line() + "\r\n")
	}
	got.WriteString(c.line() + "\r\n" + c.multi())
	for range 3 {
		got.WriteString(c.line() + "\r\n")
	}
	want := fmt.Sprintf("+OK send PASS\r\n+OK maildrop has 2 messages (%[1]d octets)\r\n+OK 2 %[1]d\r\n"+
		"+OK %[2]d octets\r\n%[3]s.\r\n+OK 1 %[4]d\r\n+OK message 1 deleted\r\n"+
		"+OK intray POP3 server signing off (1 messages deleted)\r\n",
		len(msgPlain)+len(msgDots), len(msgDots), stuff(msgDots), len(msgPlain))
	if got.String() != want {
		t.Errorf("got\n%q\nwant\n%q", got.String(), want)
	}
	c.expectEOF()
}

// stuff byte-stuffs CRLF text.
func stuff(s string) string {
	lines := strings.SplitAfter(s, "\r\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") {
			lines[i] = "." + l
		}
	}
	return strings.Join(lines, "")
}

func TestBareLFCommands(t *testing.T) {
	c := dial(t, startServer(t, &Server{Store: newFakeStore()}))
	c.send("USER joe\n")
	if got := c.line(); got != "+OK send PASS" {
		t.Errorf("USER with LF: %q", got)
	}
}

func TestIdleTimeout(t *testing.T) {
	f := newFakeStore(msgPlain)
	c := dial(t, startServer(t, &Server{Store: f, IdleTimeout: 50 * time.Millisecond}))
	c.expect("USER joe", "+OK send PASS")
	c.cmd("PASS x")
	c.expect("DELE 1", "+OK message 1 deleted")
	if got := c.line(); got != "-ERR autologout: idle for too long" {
		t.Errorf("got %q", got)
	}
	c.expectEOF()
	if len(f.removed) != 0 {
		t.Errorf("autologout committed %v", f.removed)
	}
}

// panicStore panics in Snapshot.
type panicStore struct{ *fakeStore }

func (panicStore) Snapshot(string, string) (memstore.MailboxInfo, []memstore.Entry, error) {
	panic("boom")
}

func TestPanicIsContained(t *testing.T) {
	addr := startServer(t, &Server{Store: panicStore{newFakeStore()}})
	c := dial(t, addr)
	c.expect("USER joe", "+OK send PASS")
	c.expect("PASS x", "-ERR [SYS/TEMP] internal server error, closing connection")
	c.expectEOF()
	dial(t, addr).expect("CAPA", "+OK capability list follows") // the server lives on
}

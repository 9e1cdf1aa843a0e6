package smtpd

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		line, verb, arg string
		err             error
	}{
		{"NOOP\r\n", "NOOP", "", nil},
		{"noop\n", "NOOP", "", nil},
		{"NOOP", "NOOP", "", nil},
		{"MAIL FROM:<a@x> SIZE=1\r\n", "MAIL", "FROM:<a@x> SIZE=1", nil},
		{"mAiL   FROM:<a@x>  \r\n", "MAIL", "FROM:<a@x>", nil},
		{"StartTLS\r\n", "STARTTLS", "", nil},
		{"STARTTLSX\r\n", "", "", errUnknownCommand},
		{"\r\n", "", "", errUnknownCommand},
		{" NOOP\r\n", "", "", errUnknownCommand},
		{"XYZZ\r\n", "", "", errUnknownCommand},
		{"NOOP\r\r\n", "", "", errBadLine},
		{"NO\rOP\r\n", "", "", errBadLine},
		{"NOOP a\x00b\r\n", "", "", errBadLine},
	}
	for _, tt := range tests {
		cmd, arg, err := parseCommand([]byte(tt.line))
		if err != tt.err {
			t.Errorf("parseCommand(%q) err = %v, want %v", tt.line, err, tt.err)
			continue
		}
		if err == nil && (cmd.name != tt.verb || string(arg) != tt.arg) {
			t.Errorf("parseCommand(%q) = %s %q", tt.line, cmd.name, arg)
		}
	}
}

func TestParseCommandAllocs(t *testing.T) {
	line := []byte("rcpt TO:<someone@example.com>\r\n")
	if n := testing.AllocsPerRun(100, func() { parseCommand(line) }); n != 0 {
		t.Errorf("parseCommand allocates %v times", n)
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[state]string{stateReady: "ready", stateMail: "mail", stateRcpt: "rcpt", stateChunk: "chunk", 9: "invalid"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q", s, s.String())
		}
	}
}

// FuzzParseCommand feeds arbitrary lines to the parser and, for the
// commands that need no further input, to their handlers.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"MAIL FROM:<a@x> SIZE=10 BODY=8BITMIME SMTPUTF8 AUTH=<>", "RCPT TO:<@a,@b:c@d>",
		`MAIL FROM:<"a\"b"@x>`, "EHLO [::1]", "HELO x", "VRFY a", "RSET", "NOOP \xff",
		"RCPT TO:<jøran@x>", "MAIL FROM:<>", "MAIL FROM:a@b c=d", "RCPT TO:<postmaster>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmd, arg, err := parseCommand([]byte(line))
		if err != nil {
			var re *replyError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is no reply", err)
			}
			return
		}
		if !strings.EqualFold(strings.Fields(line)[0], cmd.name) {
			t.Fatalf("%q parsed as %s", line, cmd.name)
		}
		if bytes.ContainsAny(arg, "\r\n\x00") {
			t.Fatalf("argument %q keeps a line break", arg)
		}
		switch cmd.name {
		case "MAIL", "RCPT", "HELO", "EHLO", "VRFY", "RSET", "NOOP", "HELP":
		default:
			return
		}
		c := &conn{cfg: &config{hostname: "h", maxSize: 1000, maxRcpts: 3}, bw: bufio.NewWriter(io.Discard)}
		c.state = stateMail
		if cmd.name == "MAIL" {
			c.state = stateReady
		}
		if err := cmd.run(c, arg); err == nil && cmd.name == "RCPT" {
			rcpt := c.tx.rcpts[0]
			if !c.tx.utf8 && !utf8.ValidString(rcpt) || strings.ContainsAny(rcpt, " <>\r\n") && !strings.Contains(rcpt, `"`) {
				t.Fatalf("accepted recipient %q", rcpt)
			}
		}
	})
}

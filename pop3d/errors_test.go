package pop3d

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
)

// bufConn returns a conn whose replies go to out and whose log to logs.
func bufConn(out, logs *bytes.Buffer) *conn {
	return &conn{w: bufio.NewWriter(out), log: slog.New(slog.NewTextHandler(logs, nil))}
}

func TestReplyError(t *testing.T) {
	for _, tc := range []struct {
		name     string
		err      error
		goOn     bool
		reply    string
		logged   bool
		badAfter int
	}{
		{"nil", nil, true, "", false, 0},
		{"bad command", errUnknownCommand, true, "-ERR unknown command\r\n", false, 4},
		{"failure", errNoSuchMessage, true, "-ERR no such message\r\n", false, 0},
		{"coded", &replyError{code: codeSysPerm, text: "gone"}, true, "-ERR [SYS/PERM] gone\r\n", false, 0},
		{"wrapped", fmt.Errorf("x: %w", errSyntax), true, "-ERR syntax error\r\n", false, 4},
		{"internal", errors.New("secret detail"), true, "-ERR [SYS/TEMP] internal server error\r\n", true, 0},
		{"hang up", hangUp, false, "", false, 3},
		{"EOF", io.EOF, false, "", false, 3},
		{"closed", fmt.Errorf("read: %w", net.ErrClosed), false, "", false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, logs bytes.Buffer
			c := bufConn(&out, &logs)
			c.bad = 3
			if got := c.replyError(tc.err); got != tc.goOn {
				t.Errorf("replyError = %v, want %v", got, tc.goOn)
			}
			_ = c.w.Flush()
			if out.String() != tc.reply {
				t.Errorf("reply %q, want %q", out.String(), tc.reply)
			}
			if strings.Contains(out.String(), "secret") {
				t.Error("an internal error reached the client")
			}
			if got := logs.Len() > 0; got != tc.logged {
				t.Errorf("logged %v (%q), want %v", got, logs.String(), tc.logged)
			}
			if c.bad != tc.badAfter {
				t.Errorf("bad = %d, want %d", c.bad, tc.badAfter)
			}
		})
	}
}

func TestReplyErrorTooManyBad(t *testing.T) {
	var out, logs bytes.Buffer
	c := bufConn(&out, &logs)
	c.bad = maxBadCommands - 1
	if c.replyError(errSyntax) {
		t.Error("the session goes on after too many bad commands")
	}
	_ = c.w.Flush()
	if want := "-ERR syntax error\r\n-ERR too many bad commands, closing connection\r\n"; out.String() != want {
		t.Errorf("reply %q, want %q", out.String(), want)
	}
}

func TestMsgError(t *testing.T) {
	var re *replyError
	if err := msgError(12, "already deleted"); !errors.As(err, &re) || re.bad || err.Error() != "message 12 already deleted" {
		t.Errorf("msgError = %#v", err)
	}
}

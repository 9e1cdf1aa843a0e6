package pop3d

import (
	"errors"
	"io"
	"net"
	"os"
	"strconv"

	"intray/internal/srvkit"
)

// Response codes (RFC 2449 section 8, RFC 3206). CAPA advertises RESP-CODES
// and AUTH-RESP-CODE; IN-USE and LOGIN-DELAY are never sent because
// sessions do not lock the maildrop and logins are never delayed.
const (
	codeSysTemp = "SYS/TEMP" // a temporary failure: retrying later may help
	codeSysPerm = "SYS/PERM" // a permanent condition: retrying will not help
	codeAuth    = "AUTH"     // the credentials were refused (RFC 3206)
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close. It is srvkit.ErrServerClosed, shared by all intray servers.
var ErrServerClosed = srvkit.ErrServerClosed

// replyError is an error the client is told about: it becomes one
// "-ERR [code] text" line. bad marks a malformed or misplaced command,
// which counts towards maxBadCommands.
type replyError struct {
	code string // RFC 2449 response code without brackets, or ""
	text string
	bad  bool
}

func (e *replyError) Error() string { return e.text }

// badCommand returns a replyError that counts as a bad command.
func badCommand(text string) error { return &replyError{text: text, bad: true} }

// failure returns a replyError for a well-formed command that cannot be done.
func failure(text string) error { return &replyError{text: text} }

// Replies that need no detail.
var (
	errUnknownCommand = badCommand("unknown command")
	errWrongState     = badCommand("command not valid in this state")
	errSyntax         = badCommand("syntax error")
	errLineTooLong    = badCommand("line too long")
	errNoSuchMessage  = failure("no such message")
	errTooManyBad     = &replyError{text: "too many bad commands, closing connection"}
	errInternal       = &replyError{code: codeSysTemp, text: "internal server error"}
	// errAuthFailed refuses a login when Server.Passwords is set. It does
	// not say whether the user or the password was wrong, and it counts as
	// a bad command.
	errAuthFailed = &replyError{code: codeAuth, text: "invalid user name or password", bad: true}
)

// hangUp is returned by a handler whose reply is already written and after
// which the session ends (QUIT, a failed TLS handshake).
var hangUp = errors.New("pop3d: end of session")

// msgError returns "message N ..." failures without fmt.
func msgError(n int, what string) error {
	return failure("message " + strconv.Itoa(n) + " " + what)
}

// replyError is the one place that maps an error of reading or running a
// command to what the client is told. It returns false when the session
// must end: after QUIT (hangUp), when the connection failed, on shutdown
// and idle timeout (with a goodbye), after too many bad commands. Other
// errors that are not replyErrors are internal: they are logged and the
// client gets a generic reply.
func (c *conn) replyError(err error) bool {
	if err == nil {
		c.bad = 0
		return true
	}
	var re *replyError
	if !errors.As(err, &re) {
		if c.endsSession(err) {
			return false
		}
		c.log.Error("pop3 command failed", "err", err)
		re = errInternal
	}
	if re.bad {
		c.bad++
	} else {
		c.bad = 0
	}
	c.writeErr(re.code, re.text)
	if c.bad >= maxBadCommands {
		c.writeErr(errTooManyBad.code, errTooManyBad.text)
		return false
	}
	return true
}

// isNetError reports whether err comes from the connection itself, so no
// reply can be written.
func isNetError(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne)
}

package smtpd

import "bytes"

// state is where a session is in the mail transaction.
type state uint8

const (
	stateReady state = iota // no transaction: MAIL starts one
	stateMail               // MAIL accepted, no recipient yet
	stateRcpt               // at least one RCPT accepted: DATA or BDAT may follow
	stateChunk              // BDAT chunks under way, LAST not yet seen
)

func (s state) String() string {
	switch s {
	case stateReady:
		return "ready"
	case stateMail:
		return "mail"
	case stateRcpt:
		return "rcpt"
	case stateChunk:
		return "chunk"
	}
	return "invalid"
}

// states is a set of states.
type states uint8

func (ss states) has(s state) bool { return ss&(1<<s) != 0 }

const (
	anyState states = 1<<stateReady | 1<<stateMail | 1<<stateRcpt | 1<<stateChunk
	inTx     states = anyState &^ (1 << stateReady)
)

// command is one entry of the verb table.
type command struct {
	name   string
	states states      // states in which the verb is allowed
	badSeq *replyError // reply in the other states
	run    func(c *conn, arg []byte) error
}

// maxVerb is the longest verb (STARTTLS).
const maxVerb = 8

// commands is the verb table, keyed by upper-case verb.
var commands = map[string]*command{
	"HELO":     {"HELO", anyState, nil, (*conn).helo},
	"EHLO":     {"EHLO", anyState, nil, (*conn).ehlo},
	"MAIL":     {"MAIL", 1 << stateReady, errNestedMail, (*conn).mail},
	"RCPT":     {"RCPT", 1<<stateMail | 1<<stateRcpt, errNeedMail, (*conn).rcpt},
	"DATA":     {"DATA", 1<<stateRcpt | 1<<stateChunk, errNeedRcpt, (*conn).data},
	"BDAT":     {"BDAT", anyState, nil, (*conn).bdat}, // checks its state itself: it must drain its chunk
	"RSET":     {"RSET", anyState, nil, (*conn).rset},
	"NOOP":     {"NOOP", anyState, nil, (*conn).noop},
	"QUIT":     {"QUIT", anyState, nil, (*conn).quitCmd},
	"VRFY":     {"VRFY", anyState, nil, (*conn).vrfy},
	"EXPN":     {"EXPN", anyState, nil, notImplemented},
	"HELP":     {"HELP", anyState, nil, (*conn).help},
	"STARTTLS": {"STARTTLS", 1 << stateReady, errInTransaction, (*conn).starttls},
	"AUTH":     {"AUTH", 1 << stateReady, errInTransaction, (*conn).auth},
	"SEND":     {"SEND", anyState, nil, notImplemented},
	"SOML":     {"SOML", anyState, nil, notImplemented},
	"SAML":     {"SAML", anyState, nil, notImplemented},
	"TURN":     {"TURN", anyState, nil, notImplemented},
}

func notImplemented(*conn, []byte) error { return errNotImplemented }

// parseCommand splits a command line (terminator included or not) into its
// command and argument. The argument has surrounding spaces trimmed and
// aliases line. It fails with errBadLine for a CR, LF or NUL inside the
// line and errUnknownCommand for a verb not in the table.
func parseCommand(line []byte) (*command, []byte, error) {
	line = trimEOL(line)
	if bytes.IndexByte(line, '\r') >= 0 || bytes.IndexByte(line, '\n') >= 0 || bytes.IndexByte(line, 0) >= 0 {
		return nil, nil, errBadLine
	}
	verb, arg := line, []byte(nil)
	if i := bytes.IndexByte(line, ' '); i >= 0 {
		verb, arg = line[:i], trimSpace(line[i+1:])
	}
	if len(verb) == 0 || len(verb) > maxVerb {
		return nil, nil, errUnknownCommand
	}
	var up [maxVerb]byte
	for i, b := range verb {
		if 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
		}
		up[i] = b
	}
	cmd := commands[string(up[:len(verb)])] // no allocation
	if cmd == nil {
		return nil, nil, errUnknownCommand
	}
	return cmd, arg, nil
}

// trimEOL removes one trailing LF or CRLF.
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n > 1 && b[n-2] == '\r' {
			b = b[:n-2]
		}
	}
	return b
}

// trimSpace removes leading and trailing spaces and tabs.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// hasPrefixFold reports whether b starts with the upper-case ASCII prefix,
// ignoring case.
func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && equalFold(b[:len(prefix)], prefix)
}

// equalFold reports whether b equals the upper-case ASCII string s,
// ignoring case, without allocating.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

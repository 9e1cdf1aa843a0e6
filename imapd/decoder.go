package imapd

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	"intray/internal/srvkit"
)

// Bounds on what one command may make the server buffer.
const (
	// maxLine bounds one command line (the text between literals). RFC 7162
	// section 4 asks servers to accept at least 8192 octets; we allow more.
	maxLine = 64 << 10
	// maxBufferedLiteral bounds a literal that is not an APPEND message
	// (a mailbox name, a password, a search string): a few KiB is plenty.
	maxBufferedLiteral = 8 << 10
	// maxCommand bounds all lines and buffered literals of one command,
	// APPEND message literals after login excepted.
	maxCommand = 256 << 10
	// maxDepth bounds the nesting of parenthesised lists.
	maxDepth = 16
	// literalChunk is the first allocation for a literal larger than it;
	// the buffer then grows as bytes arrive (at most to the announced
	// size), so announcing a large literal costs nothing until it is sent.
	literalChunk = 64 << 10
)

// argKind says what an argument was on the wire.
type argKind uint8

const (
	argAtom    argKind = iota + 1 // an atom, NIL, a number, a sequence set, BODY[...]<...>
	argQuoted                     // a quoted string, escapes removed
	argLiteral                    // a literal; its bytes are in lit
	argList                       // a parenthesised list
)

// arg is one decoded argument of a command.
type arg struct {
	kind argKind
	s    string // atom or quoted text
	lit  []byte // literal data
	list []arg
}

// str returns the argument as a string: atom, quoted or literal text.
func (a *arg) str() string {
	if a.kind == argLiteral {
		return string(a.lit)
	}
	return a.s
}

// request is one decoded command.
type request struct {
	tag  string
	name string // upper case, without "UID"
	uid  bool   // the UID form of FETCH, STORE, COPY, MOVE, SEARCH, EXPUNGE
	args []arg

	okCode string // response code for the tagged OK, set by the handler
	okText string // text for the tagged OK; "<NAME> completed" if empty
	done   bool   // the handler wrote the tagged response itself
}

// decoder reads commands from a stream: lines bounded by maxLine, literals
// (synchronising and LITERAL+ non-synchronising) bounded before they are
// read. It is not safe for concurrent use.
type decoder struct {
	lr srvkit.LineReader
	// cont writes the "+" continuation request for a synchronising literal.
	cont func() error
	// arm re-arms the read deadline before each read after the first line.
	arm func() error
	// appendMax bounds an APPEND literal once the session is logged in.
	appendMax int64
	// state is the session's state: before login every literal, APPEND's
	// too, is held to the buffered-literal bound (APPEND is refused then
	// anyway, but only after the literal was read).
	state *state

	cur  []byte // the current line, without its line ending
	rest []byte // the unparsed remainder of cur
	size int64  // bytes of the current command so far, APPEND literals excepted
	req  *request
}

// errFatal wraps errors after which the connection cannot go on.
var errFatal = errors.New("fatal protocol error")

// read decodes the next command. On a syntax error it returns the request
// as far as it was decoded (its tag set when there was one) and a
// *respError, after discarding the rest of the command; a *respError with
// fatal set means the connection must end. I/O errors are returned as is.
func (d *decoder) read() (*request, error) {
	d.size = 0
	d.req = &request{}
	if err := d.readLine(); err != nil {
		return nil, err
	}
	err := d.command()
	if err != nil {
		var re *respError
		if errors.As(err, &re) && !re.fatal {
			if derr := d.discard(); derr != nil {
				return d.req, derr
			}
		}
	}
	return d.req, err
}

// command decodes tag, name and arguments from the line just read.
func (d *decoder) command() error {
	r := d.req
	tag := d.atom()
	if tag == "" || strings.IndexByte(tag, '+') >= 0 || strings.IndexByte(tag, '*') >= 0 {
		return bad("Missing or invalid tag")
	}
	r.tag = tag
	if !d.sp() {
		return bad("Missing command")
	}
	r.name = strings.ToUpper(d.atom())
	if r.name == "" {
		return bad("Missing command")
	}
	if r.name == "UID" {
		if !d.sp() {
			return bad("Missing command after UID")
		}
		r.uid = true
		r.name = strings.ToUpper(d.atom())
	}
	args, err := d.list(0)
	r.args = args
	return err
}

// readLine reads the next line into cur and rest.
func (d *decoder) readLine() error {
	d.cur, d.rest = nil, nil
	line, err := d.lr.ReadLine()
	if err != nil {
		var tl *srvkit.LineTooLongError
		if errors.As(err, &tl) {
			if tl.Partial {
				if err := d.lr.SkipLine(); err != nil {
					return err
				}
			}
			return &respError{kind: "BAD", text: "Command line too long"}
		}
		if len(line) == 0 || line[len(line)-1] != '\n' {
			return err
		}
	}
	d.size += int64(len(line))
	line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte{'\n'}), []byte{'\r'})
	d.cur, d.rest = line, line
	if d.size > maxCommand {
		return bad("Command too long")
	}
	return nil
}

// sp consumes one space.
func (d *decoder) sp() bool {
	if len(d.rest) > 0 && d.rest[0] == ' ' {
		d.rest = d.rest[1:]
		return true
	}
	return false
}

// atom consumes an atom: everything up to a space, a parenthesis, a quote,
// a brace or the end of the line, where a '[' extends it to the next ']'
// (BODY[HEADER.FIELDS (A B)]<0.10> is one atom).
func (d *decoder) atom() string {
	b := d.rest
	i := 0
	for i < len(b) {
		c := b[i]
		if c == '[' {
			j := bytes.IndexByte(b[i:], ']')
			if j < 0 {
				i = len(b)
				break
			}
			i += j + 1
			continue
		}
		if c == ' ' || c == '(' || c == ')' || c == '"' || c == '{' || c < 0x20 || c == 0x7f {
			break
		}
		i++
	}
	d.rest = b[i:]
	return string(b[:i])
}

// list decodes arguments up to the end of the command (depth 0) or up to
// the ')' that closes a list opened at depth-1.
func (d *decoder) list(depth int) ([]arg, error) {
	var out []arg
	for {
		for len(d.rest) > 0 && d.rest[0] == ' ' {
			d.rest = d.rest[1:]
		}
		if len(d.rest) == 0 {
			if depth > 0 {
				return out, bad("Missing ')'")
			}
			return out, nil
		}
		switch c := d.rest[0]; c {
		case ')':
			if depth == 0 {
				return out, bad("Unexpected ')'")
			}
			d.rest = d.rest[1:]
			return out, nil
		case '(':
			if depth+1 >= maxDepth {
				return out, bad("Lists nested too deeply")
			}
			d.rest = d.rest[1:]
			sub, err := d.list(depth + 1)
			out = append(out, arg{kind: argList, list: sub})
			if err != nil {
				return out, err
			}
		case '"':
			s, err := d.quoted()
			if err != nil {
				return out, err
			}
			out = append(out, arg{kind: argQuoted, s: s})
		case '{':
			lit, err := d.literal()
			if err != nil {
				return out, err
			}
			out = append(out, arg{kind: argLiteral, lit: lit})
		default:
			a := d.atom()
			if a == "" {
				return out, bad("Invalid character in command")
			}
			out = append(out, arg{kind: argAtom, s: a})
		}
	}
}

// quoted consumes a quoted string; only \" and \\ are valid escapes.
func (d *decoder) quoted() (string, error) {
	b := d.rest[1:]
	var sb []byte
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			d.rest = b[i+1:]
			return string(sb), nil
		case '\\':
			if i+1 >= len(b) || (b[i+1] != '"' && b[i+1] != '\\') {
				return "", bad("Invalid escape in quoted string")
			}
			i++
			sb = append(sb, b[i])
		default:
			sb = append(sb, c)
		}
	}
	return "", bad("Unterminated quoted string")
}

// literalSpec parses "{n}" or "{n+}" at the end of line. ok is false if
// the line does not end with a literal announcement.
func literalSpec(line []byte) (n int64, nonSync, ok bool) {
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, false, false
	}
	open := bytes.LastIndexByte(line, '{')
	if open < 0 {
		return 0, false, false
	}
	spec := line[open+1 : len(line)-1]
	if len(spec) > 0 && spec[len(spec)-1] == '+' {
		nonSync = true
		spec = spec[:len(spec)-1]
	}
	if len(spec) == 0 || len(spec) > 18 {
		return 0, false, false
	}
	for _, c := range spec {
		if c < '0' || c > '9' {
			return 0, false, false
		}
	}
	n, err := strconv.ParseInt(string(spec), 10, 64)
	return n, nonSync, err == nil
}

// appendLiteral reports whether a literal of the current command is an
// APPEND message that may be as large as appendMax: the command is APPEND
// and the session is logged in.
func (d *decoder) appendLiteral() bool {
	return d.req.name == "APPEND" && d.state != nil && *d.state != stateNotAuth
}

// literalLimit returns the largest literal the current command may send.
func (d *decoder) literalLimit() int64 {
	if d.appendLiteral() {
		return d.appendMax
	}
	return min(maxBufferedLiteral, maxCommand-d.size)
}

// literal reads the literal announced at the end of the current line and
// then the next line. An oversize synchronising literal is refused before
// the continuation; an oversize non-synchronising one is fatal (RFC 7888 4).
func (d *decoder) literal() ([]byte, error) {
	n, nonSync, ok := literalSpec(d.rest)
	if !ok || bytes.IndexByte(d.rest, '}') != len(d.rest)-1 {
		return nil, bad("Invalid literal")
	}
	d.rest = nil
	if n > d.literalLimit() {
		return nil, d.tooBig(nonSync)
	}
	if !nonSync {
		if err := d.cont(); err != nil {
			return nil, err
		}
	}
	if err := d.arm(); err != nil {
		return nil, err
	}
	buf, err := readLiteral(d.lr.R, n)
	if err != nil {
		return nil, err
	}
	if !d.appendLiteral() {
		d.size += n
	}
	if err := d.readLine(); err != nil {
		return nil, err
	}
	return buf, nil
}

// readLiteral reads exactly n bytes from r. Up to literalChunk they are
// read into one allocation; beyond, the buffer grows (doubling, capped at
// n) only as the bytes arrive, so a client that announces a large literal
// and sends little makes the server hold little.
func readLiteral(r io.Reader, n int64) ([]byte, error) {
	buf := make([]byte, 0, min(n, literalChunk))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			next := make([]byte, len(buf), min(2*int64(cap(buf)), n))
			copy(next, buf)
			buf = next
		}
		k, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// tooBig is the error for an oversize literal.
func (d *decoder) tooBig(nonSync bool) error {
	if nonSync {
		return &respError{kind: "BAD", code: "TOOBIG", text: "Literal too large", fatal: true}
	}
	if d.appendLiteral() {
		return &respError{kind: "NO", code: "TOOBIG", text: "Message too large"}
	}
	return &respError{kind: "BAD", code: "TOOBIG", text: "Literal too large"}
}

// discard skips what is left of a command that failed to decode: the rest
// of the line and, while lines end in a non-synchronising literal, the
// literal and the line after it. A synchronising literal was never sent,
// since the client waits for a continuation that does not come.
func (d *decoder) discard() error {
	for {
		n, nonSync, ok := literalSpec(d.cur)
		if !ok || !nonSync {
			return nil
		}
		if n > d.literalLimit() {
			return d.tooBig(true)
		}
		if err := d.arm(); err != nil {
			return err
		}
		if _, err := io.CopyN(io.Discard, d.lr.R, n); err != nil {
			return err
		}
		d.size += n
		if err := d.readLine(); err != nil {
			var re *respError
			if errors.As(err, &re) {
				continue // keep skipping; the line was consumed
			}
			return err
		}
	}
}

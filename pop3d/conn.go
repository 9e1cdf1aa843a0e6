package pop3d

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"intray/internal/srvkit"
)

// Bounds and buffer sizes.
const (
	// maxCommandLine bounds a command line, CRLF included. RFC 2449
	// section 4 allows 255 octets; we are lenient up to four times that.
	maxCommandLine = 4 * 255
	// maxSASLLine bounds a SASL response line (RFC 5034 section 4 sets no
	// limit; a PLAIN response is a few hundred octets at most).
	maxSASLLine = 8192
	// maxBadCommands ends a session after that many bad commands in a row.
	maxBadCommands = 10
	// goodbyeTimeout bounds writing the last reply of a session that the
	// server ends (shutdown, idle timeout).
	goodbyeTimeout = 5 * time.Second

	readBufferSize  = 4 << 10
	writeBufferSize = 32 << 10
)

// state is a session's RFC 1939 state.
type state uint8

const (
	stateAuthorization state = 1 << iota
	stateTransaction
	stateUpdate
)

func (s state) String() string {
	switch s {
	case stateAuthorization:
		return "AUTHORIZATION"
	case stateTransaction:
		return "TRANSACTION"
	case stateUpdate:
		return "UPDATE"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// command is an entry of the verb table: the states that allow the verb
// (a set of state bits) and its handler, which gets the arguments as sent.
type command struct {
	states state
	handle func(c *conn, args string) error
}

// commands is the verb table.
var commands = map[string]command{
	"CAPA": {stateAuthorization | stateTransaction, (*conn).capa},
	"QUIT": {stateAuthorization | stateTransaction, (*conn).quit},
	"USER": {stateAuthorization, (*conn).user},
	"PASS": {stateAuthorization, (*conn).pass},
	"APOP": {stateAuthorization, (*conn).apop},
	"AUTH": {stateAuthorization, (*conn).auth},
	"STLS": {stateAuthorization, (*conn).stls},
	"STAT": {stateTransaction, (*conn).stat},
	"LIST": {stateTransaction, (*conn).list},
	"UIDL": {stateTransaction, (*conn).uidl},
	"RETR": {stateTransaction, (*conn).retr},
	"TOP":  {stateTransaction, (*conn).top},
	"DELE": {stateTransaction, (*conn).dele},
	"RSET": {stateTransaction, (*conn).rset},
	"NOOP": {stateTransaction, (*conn).noop},
}

// conn is one POP3 session. It is owned by the goroutine running serve.
type conn struct {
	srv *Server
	sc  *srvkit.Conn // the tracked TCP connection
	nc  net.Conn     // sc, or the TLS connection on top of it
	r   *bufio.Reader
	lr  srvkit.LineReader  // reads lines from r
	fr  srvkit.FlushReader // under r: writes w out when the client has nothing queued
	w   *bufio.Writer
	log *slog.Logger

	state     state
	tls       bool
	timestamp string    // the APOP timestamp of the greeting, <...@host>
	userName  string    // from USER, waiting for PASS
	login     string    // the login name once in TRANSACTION
	drop      *maildrop // the snapshot once in TRANSACTION
	bad       int       // bad commands in a row

	buf  []byte    // scratch for reply lines
	uids [1]uint32 // scratch for Store.Entries
}

func newConn(s *Server, sc *srvkit.Conn) *conn {
	c := &conn{
		srv:   s,
		sc:    sc,
		nc:    sc,
		w:     bufio.NewWriterSize(sc, writeBufferSize),
		log:   s.log.With("remote", sc.RemoteAddr().String()),
		state: stateAuthorization,
		buf:   make([]byte, 0, 128),
	}
	// Replies to pipelined commands (PIPELINING, RFC 2449) leave in one
	// write once the client has nothing more queued.
	c.fr = srvkit.FlushReader{Conn: sc.Conn, Pending: func() bool { return c.w.Buffered() > 0 }, Flush: c.w.Flush}
	c.r = bufio.NewReaderSize(&c.fr, readBufferSize)
	c.lr.R = c.r
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	c.timestamp = "<" + hex.EncodeToString(nonce[:]) + "." +
		strconv.FormatInt(time.Now().UnixNano(), 10) + "@" + s.hostname() + ">"
	return c
}

// serve runs the session: greeting, then the command loop until QUIT, a
// fatal error, the idle timeout or shutdown.
func (c *conn) serve() {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pop3 session panic", "panic", r, "stack", string(debug.Stack()))
			c.writeErr(codeSysTemp, "internal server error, closing connection")
		}
		_ = c.w.Flush()
	}()
	if c.srv.ImplicitTLS {
		if err := c.handshake(); err != nil {
			c.log.Debug("pop3s handshake failed", "err", err)
			return
		}
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.srv.idleTimeout()))
	c.writeOK("intray POP3 server ready " + c.timestamp)
	for {
		line, err := c.readLine(maxCommandLine)
		if err == nil {
			err = c.dispatch(line)
		}
		if !c.replyError(err) {
			return
		}
	}
}

// readLine reads one line of at most max octets; the replies so far are
// written when it has to wait for input (see fr). The session is idle, so
// interruptible by Shutdown, only while it waits.
func (c *conn) readLine(max int) ([]byte, error) {
	if !c.sc.Idle() {
		return nil, srvkit.ErrShuttingDown
	}
	if err := c.sc.ArmRead(c.srv.idleTimeout()); err != nil {
		return nil, err
	}
	c.lr.Max = max
	line, err := c.lr.ReadLine()
	if !c.sc.Busy() {
		return nil, srvkit.ErrShuttingDown
	}
	if err != nil {
		var tl *srvkit.LineTooLongError
		if errors.As(err, &tl) {
			if tl.Partial {
				if err := c.lr.SkipLine(); err != nil {
					return nil, err
				}
			}
			return nil, errLineTooLong
		}
		return nil, err // a final line without LF is dropped with io.EOF
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.srv.idleTimeout()))
	return line, nil
}

// dispatch parses a command line and runs its handler.
func (c *conn) dispatch(line []byte) error {
	verb, args, err := parseCommand(line)
	if err != nil {
		return err
	}
	cmd, ok := commands[verb]
	if !ok {
		return errUnknownCommand
	}
	if cmd.states&c.state == 0 {
		return errWrongState
	}
	return cmd.handle(c, args)
}

// maxVerb is the longest verb parseCommand accepts (RFC 1939 keywords are
// three or four characters; RFC 2449 allows extensions longer ones).
const maxVerb = 16

// parseCommand splits a command line (with or without its CRLF or LF) into
// the upper-cased verb and the arguments after the first space, as sent.
// It rejects empty lines, verbs that are not ASCII letters, and NUL, CR or
// LF inside the line.
func parseCommand(line []byte) (verb, args string, err error) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if bytes.ContainsAny(line, "\x00\r\n") {
		return "", "", errSyntax
	}
	v, rest, _ := bytes.Cut(line, []byte(" "))
	if len(v) == 0 || len(v) > maxVerb {
		return "", "", errSyntax
	}
	var up [maxVerb]byte
	for i, b := range v {
		switch {
		case b >= 'A' && b <= 'Z':
			up[i] = b
		case b >= 'a' && b <= 'z':
			up[i] = b - ('a' - 'A')
		default:
			return "", "", errSyntax
		}
	}
	return string(up[:len(v)]), string(rest), nil
}

// handshake runs a server TLS handshake on the connection and switches the
// session's reader and writer to it. Input buffered before it is dropped,
// so nothing sent in clear before STLS completes is read as if protected.
// Shutdown may interrupt the handshake, which waits for the client (see
// srvkit.Conn.Handshake).
func (c *conn) handshake() error {
	tc, err := c.sc.Handshake(c.srv.TLSConfig, handshakeTimeout)
	if err != nil {
		return err
	}
	c.nc = tc
	c.tls = true
	c.fr.Conn = tc
	c.r.Reset(&c.fr)
	c.w.Reset(tc)
	return nil
}

// goodbye writes the last reply of a session the server ends.
func (c *conn) goodbye(code, text string) {
	_ = c.nc.SetWriteDeadline(time.Now().Add(goodbyeTimeout))
	c.writeErr(code, text)
	_ = c.w.Flush()
}

// endsSession reports whether err ends the session, and says goodbye when
// the server ends it.
func (c *conn) endsSession(err error) bool {
	switch {
	case errors.Is(err, srvkit.ErrShuttingDown):
		c.goodbye(codeSysTemp, "server shutting down")
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.goodbye("", "autologout: idle for too long")
	case errors.Is(err, hangUp), isNetError(err):
	default:
		return false
	}
	return true
}

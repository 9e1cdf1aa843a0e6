package imapd

import (
	"bufio"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"intray/internal/srvkit"
	"intray/memstore"
)

// Timeouts besides the autologout timer (Server.IdleTimeout).
const (
	// preAuthTimeout bounds the wait for a command before login; the 30
	// minutes of RFC 3501 5.4 are for authenticated users.
	preAuthTimeout = 2 * time.Minute
	// commandTimeout bounds reading the rest of a command once it started
	// (continuation lines and literals), so a slow sender cannot hold a
	// connection busy forever.
	commandTimeout = 5 * time.Minute
	// writeTimeout bounds each write to the client.
	writeTimeout = 5 * time.Minute
	// handshakeTimeout bounds a TLS handshake.
	handshakeTimeout = 30 * time.Second
)

// Error limits: a session is hung up on after this many bad commands in a
// row, fewer before login (so that other protocols' clients talking to the
// wrong port are turned away quickly).
const (
	maxPreAuthErrors = 3
	maxErrors        = 20
)

// state is the IMAP connection state (RFC 3501 3).
type state uint8

const (
	stateNotAuth state = iota
	stateAuth
	stateSelected
	stateLogout
)

func (s state) String() string {
	switch s {
	case stateNotAuth:
		return "not authenticated"
	case stateAuth:
		return "authenticated"
	case stateSelected:
		return "selected"
	default:
		return "logout"
	}
}

// conn is one IMAP session. It is owned by the goroutine that runs
// serveConn; only IDLE starts a helper goroutine, which reads one line and
// ends.
type conn struct {
	srv *Server
	tc  *srvkit.Conn
	nc  net.Conn // tc, or a *tls.Conn over it
	br  *bufio.Reader
	fr  srvkit.FlushReader // under br: writes bw out when the client has nothing queued
	bw  *bufio.Writer
	// idleReading is set while IDLE's reader goroutine owns br; fr then
	// leaves bw alone, which the session goroutine is writing.
	idleReading bool
	dec         decoder
	log         *slog.Logger

	state state
	tls   bool
	login string
	sel   *view                  // the selected mailbox, nil unless stateSelected
	sub   *memstore.Subscription // events for sel, nil unless stateSelected
	errs  int                    // bad commands in a row
	out   []byte                 // scratch buffer for FETCH responses
}

// serveConn runs one session until logout, an error or shutdown.
func (s *Server) serveConn(tc *srvkit.Conn) {
	c := &conn{srv: s, tc: tc, log: s.logger().With("remote", tc.RemoteAddr().String())}
	c.setConn(tc)
	defer c.unselect()
	defer func() {
		if v := recover(); v != nil {
			c.log.Error("imap session panic", "panic", v, "stack", string(debug.Stack()))
			c.bye("Internal server error")
		}
	}()
	if s.ImplicitTLS {
		tlsConn := tls.Server(tc, s.TLSConfig)
		if err := c.handshake(tlsConn); err != nil {
			c.log.Debug("imaps handshake failed", "err", err)
			return
		}
	}
	c.untagged("OK [CAPABILITY " + c.caps() + "] " + s.hostname() + " IMAP4rev1 ready")
	for c.state != stateLogout && c.serveOne() {
	}
	_ = c.bw.Flush()
}

// setConn (re)builds the buffered reader and writer over nc.
func (c *conn) setConn(nc net.Conn) {
	c.nc = nc
	c.bw = bufio.NewWriterSize(deadlineWriter{c}, 64<<10)
	// Responses to pipelined commands leave in one write, once the client
	// has nothing more queued (srvkit.FlushReader). The plain connection
	// is read as the socket it wraps.
	raw := nc
	if nc == net.Conn(c.tc) {
		raw = c.tc.Conn
	}
	c.fr = srvkit.FlushReader{
		Conn:    raw,
		Pending: func() bool { return !c.idleReading && c.bw.Buffered() > 0 },
		Flush:   func() error { return c.bw.Flush() },
	}
	c.br = bufio.NewReaderSize(&c.fr, 16<<10)
	c.dec = decoder{
		lr:        srvkit.LineReader{R: c.br, Max: maxLine},
		cont:      c.continueLiteral,
		arm:       func() error { return c.tc.ArmRead(commandTimeout) },
		appendMax: c.srv.maxLiteral(),
		state:     &c.state,
	}
}

// handshake runs a TLS handshake and switches the session to it.
func (c *conn) handshake(tlsConn *tls.Conn) error {
	if err := c.tc.ArmRead(handshakeTimeout); err != nil {
		return err
	}
	_ = c.tc.SetWriteDeadline(time.Now().Add(handshakeTimeout))
	if err := tlsConn.Handshake(); err != nil {
		return err
	}
	c.setConn(tlsConn)
	c.tls = true
	return nil
}

// deadlineWriter refreshes the write deadline before every write.
type deadlineWriter struct{ c *conn }

func (w deadlineWriter) Write(p []byte) (int, error) {
	_ = w.c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	return w.c.nc.Write(p)
}

// serveOne waits for, reads and runs one command. It reports false when
// the session is over.
func (c *conn) serveOne() bool {
	if !c.tc.Idle() {
		c.bye("Server shutting down")
		return false
	}
	wait := c.srv.idleTimeout()
	if c.state == stateNotAuth {
		wait = min(wait, preAuthTimeout)
	}
	if err := c.tc.ArmRead(wait); err != nil {
		return c.readFailed(err)
	}
	if _, err := c.br.Peek(1); err != nil {
		return c.readFailed(err)
	}
	if !c.tc.Busy() {
		c.bye("Server shutting down")
		return false
	}
	if err := c.tc.ArmRead(commandTimeout); err != nil {
		return c.readFailed(err)
	}
	req, err := c.dec.read()
	if err != nil {
		return c.decodeFailed(req, err)
	}
	c.dispatch(req)
	return c.state != stateLogout
}

// readFailed ends the session after a failed read: with BYE for a shutdown
// or an expired autologout timer, silently when the client went away.
func (c *conn) readFailed(err error) bool {
	var ne net.Error
	switch {
	case errors.Is(err, srvkit.ErrShuttingDown) || c.tc.ShuttingDown():
		c.bye("Server shutting down")
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, os.ErrDeadlineExceeded):
		c.bye("Autologout; idle for too long")
	}
	return false
}

// decodeFailed answers a command that could not be decoded.
func (c *conn) decodeFailed(req *request, err error) bool {
	var re *respError
	if !errors.As(err, &re) {
		return c.readFailed(err)
	}
	tag := "*"
	if req != nil && req.tag != "" {
		tag = req.tag
	}
	c.writeStatus(tag, re)
	if re.fatal {
		c.bye("Protocol error")
		return false
	}
	return c.countError()
}

// countError counts a bad command and hangs up after too many in a row.
func (c *conn) countError() bool {
	c.errs++
	limit := maxErrors
	if c.state == stateNotAuth {
		limit = maxPreAuthErrors
	}
	if c.errs >= limit {
		c.bye("Too many invalid commands")
		c.state = stateLogout
		return false
	}
	return true
}

// bye writes an untagged BYE and flushes.
func (c *conn) bye(text string) {
	c.untagged("BYE " + text)
	_ = c.bw.Flush()
}

// continueLiteral asks for a synchronising literal.
func (c *conn) continueLiteral() error {
	_, _ = c.bw.WriteString("+ Ready for literal data\r\n")
	return c.bw.Flush()
}

// untagged writes "* " text CRLF.
func (c *conn) untagged(text string) {
	b := c.bw.AvailableBuffer()
	b = append(b, "* "...)
	b = append(b, text...)
	b = append(b, "\r\n"...)
	_, _ = c.bw.Write(b)
}

// writeStatus writes a tagged (or "*") status response.
func (c *conn) writeStatus(tag string, re *respError) {
	c.writeTagged(tag, re.kind, re.code, re.text)
}

func (c *conn) writeTagged(tag, kind, code, text string) {
	b := c.bw.AvailableBuffer()
	b = append(b, tag...)
	b = append(b, ' ')
	b = append(b, kind...)
	b = append(b, ' ')
	if code != "" {
		b = append(b, '[')
		b = append(b, code...)
		b = append(b, "] "...)
	}
	b = append(b, text...)
	b = append(b, "\r\n"...)
	_, _ = c.bw.Write(b)
}

// writeNumber writes "* n WORD" (EXISTS, RECENT, EXPUNGE).
func (c *conn) writeNumber(n int, word string) {
	b := c.bw.AvailableBuffer()
	b = append(b, "* "...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ' ')
	b = append(b, word...)
	b = append(b, "\r\n"...)
	_, _ = c.bw.Write(b)
}

// caps returns the capabilities for the current state.
func (c *conn) caps() string {
	const base = "IMAP4rev1 IDLE UIDPLUS MOVE NAMESPACE ID UNSELECT LITERAL+ ENABLE SPECIAL-USE CHILDREN"
	if c.state != stateNotAuth {
		return base
	}
	if c.srv.TLSConfig != nil && !c.tls {
		return base + " SASL-IR AUTH=PLAIN STARTTLS"
	}
	return base + " SASL-IR AUTH=PLAIN"
}

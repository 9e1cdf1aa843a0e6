package smtpd

import (
	"bufio"
	"errors"
	"io"
	"net"
	"runtime"
	"time"

	"intray/internal/srvkit"
)

// Bounds of a session.
const (
	// maxCommandLine caps a command line, CRLF included. RFC 5321 4.5.3.1.4
	// sets 512; clients exceed it with long parameters, so be lenient.
	maxCommandLine = 4096
	// maxAuthLine caps AUTH lines, which RFC 4954 4 lets reach 12288 octets.
	maxAuthLine = 12288
	// maxErrors is how many protocol errors in a row end the session.
	maxErrors = 10
	// readBufSize holds any AUTH line whole and makes DATA reads large.
	readBufSize = 16 << 10
	// writeBufSize holds many pipelined replies.
	writeBufSize = 4 << 10
	// maxTranscript caps the transcript kept with each message.
	maxTranscript = 8 << 10
	// maxRecordedLine caps one command line in the transcript.
	maxRecordedLine = 256
)

// connBufs are a session's buffers, recycled through Server.bufs.
type connBufs struct {
	r *bufio.Reader
	w *bufio.Writer
}

// conn is one SMTP session. Only its own goroutine touches it.
type conn struct {
	srv  *Server
	cfg  *config
	tc   *srvkit.Conn // the tracked connection
	nc   net.Conn     // the transport: tc.Conn, or a *tls.Conn over it
	bufs *connBufs
	br   *bufio.Reader // reads nc through netReader
	bw   *bufio.Writer // writes nc through netWriter
	lr   srvkit.LineReader
	fr   srvkit.FlushReader // under br: flushes bw when the client has nothing queued

	remote   string // client address, host:port
	heloName string // HELO/EHLO argument
	tls      bool
	authed   bool
	authUser string
	errs     int  // protocol errors in a row
	quit     bool // end the session after this command
	rec      bool // record replies in the transcript

	state   state
	tx      transaction
	scratch []byte // reused DATA buffer, at most maxScratch
}

func newConn(s *Server, tc *srvkit.Conn) *conn {
	c := &conn{srv: s, cfg: &s.cfg, tc: tc, nc: tc.Conn, remote: tc.RemoteAddr().String()}
	c.bufs, _ = s.bufs.Get().(*connBufs)
	if c.bufs == nil {
		c.bufs = &connBufs{
			r: bufio.NewReaderSize(netReader{c}, readBufSize),
			w: bufio.NewWriterSize(netWriter{c}, writeBufSize),
		}
	} else {
		c.bufs.r.Reset(netReader{c})
		c.bufs.w.Reset(netWriter{c})
	}
	c.br, c.bw = c.bufs.r, c.bufs.w
	c.lr = srvkit.LineReader{R: c.br, Max: maxAuthLine}
	c.fr = srvkit.FlushReader{
		Conn:    c.nc,
		Pending: func() bool { return c.bw.Buffered() > 0 },
		Flush:   func() error { return c.bw.Flush() },
	}
	return c
}

// release flushes what is left and returns the buffers to the pool.
func (c *conn) release() {
	_ = c.bw.Flush()
	c.bufs.r.Reset(nil)
	c.bufs.w.Reset(nil)
	c.srv.bufs.Put(c.bufs)
	c.bufs, c.br, c.bw = nil, nil, nil
}

// netReader feeds the read buffer and re-arms the idle deadline. Pending
// replies are flushed only when the client has nothing more queued, so
// replies to pipelined commands go out together (RFC 2920; see
// srvkit.FlushReader).
type netReader struct{ c *conn }

func (r netReader) Read(p []byte) (int, error) {
	c := r.c
	if err := c.tc.ArmRead(c.cfg.idle); err != nil {
		return 0, err
	}
	n, err := c.fr.Read(p)
	if err != nil && err != io.EOF {
		err = &ioError{err}
	}
	return n, err
}

// netWriter sets a write deadline for every write, so a client that stops
// reading cannot hold a session forever.
type netWriter struct{ c *conn }

func (w netWriter) Write(p []byte) (int, error) {
	c := w.c
	if err := c.tc.Conn.SetWriteDeadline(time.Now().Add(c.cfg.idle)); err != nil {
		return 0, &ioError{err}
	}
	n, err := c.nc.Write(p)
	if err != nil {
		err = &ioError{err}
	}
	return n, err
}

// ioError marks an error of the connection itself (reset, TLS alert,
// timeout), as opposed to an error of the server.
type ioError struct{ err error }

func (e *ioError) Error() string { return e.err.Error() }
func (e *ioError) Unwrap() error { return e.err }

// serve runs the command loop: mark idle, read a bounded line, mark busy,
// dispatch, until QUIT, an error that ends the session, or shutdown.
func (c *conn) serve() {
	c.writeNow(c.cfg.greeting)
	for !c.quit {
		if !c.tc.Idle() {
			c.writeNow(replyShutdown)
			return
		}
		line, err := c.lr.ReadLine()
		if !c.tc.Busy() {
			c.writeNow(replyShutdown)
			return
		}
		if err != nil {
			c.readFailed(err)
			continue
		}
		c.dispatch(line)
	}
}

// readFailed answers a failed command read.
func (c *conn) readFailed(err error) {
	if err = c.skipPartial(err); err != nil {
		if c.state == stateChunk {
			err = c.abortTx(err)
		}
		c.fail(err)
	}
}

// skipPartial discards the rest of an over-long line that was read only in
// part, so the session can go on with the next line. It returns err, or
// the error that made skipping fail.
func (c *conn) skipPartial(err error) error {
	if tl, ok := err.(*srvkit.LineTooLongError); ok && tl.Partial {
		if serr := c.lr.SkipLine(); serr != nil {
			return serr
		}
	}
	return err
}

// dispatch runs one command line.
func (c *conn) dispatch(line []byte) {
	cmd, arg, err := parseCommand(line)
	if err == nil && len(line) > maxCommandLine && cmd.name != "AUTH" {
		err = errLineTooLong
	}
	// Only a line that parsed is recorded, with its reply: a line refused
	// for a bare CR or NUL must not reach the stored transcript, where it
	// could forge a server line.
	c.rec = err == nil && (c.state != stateReady || cmd.name == "MAIL")
	if c.rec {
		c.recordCommand(cmd, line)
	}
	chunking := c.state == stateChunk
	switch {
	case err != nil:
	case !cmd.states.has(c.state):
		err = cmd.badSeq
	default:
		err = cmd.run(c, arg)
	}
	if err != nil {
		if chunking || cmd != nil && cmd.name == "BDAT" {
			err = c.abortTx(err)
		}
		c.fail(err)
	} else {
		c.errs = 0
	}
	c.rec = false
}

// abortTx ends the transaction after a refused BDAT, or after any refusal
// while BDAT chunks are under way. RFC 3030 2: once a BDAT is refused the
// transaction has failed, and the server must accept and discard the chunks
// the client had already pipelined behind it; were the transaction kept,
// the chunks around a refused one would be joined into a message the
// client never sent. The reply says so. With no transaction left (BDAT
// before MAIL, or a handler that already reset it) err is returned as is.
func (c *conn) abortTx(err error) error {
	if c.state == stateReady {
		return err
	}
	c.resetTx()
	if errors.Is(err, srvkit.ErrLineTooLong) {
		err = errLineTooLong
	}
	var re *replyError
	if !errors.As(err, &re) {
		return err
	}
	return &replyError{line: re.line[:len(re.line)-2] + "; transaction reset\r\n", strike: re.strike}
}

// reply queues a reply (CRLF-terminated, possibly multi-line) and records it
// in the transcript during a transaction. netReader flushes it.
func (c *conn) reply(s string) {
	_, _ = c.bw.WriteString(s)
	if c.rec {
		c.tx.recordReply(s)
	}
}

// writeNow writes and flushes a reply at once, unrecorded: the greeting and
// the goodbyes.
func (c *conn) writeNow(s string) {
	_, _ = c.bw.WriteString(s)
	_ = c.bw.Flush()
}

// recordCommand adds a parsed command line to the transcript; AUTH
// arguments (credentials) never are.
func (c *conn) recordCommand(cmd *command, line []byte) {
	line = trimEOL(line)
	if cmd.name == "AUTH" {
		line = line[:min(len(line), len("AUTH"))]
	}
	c.tx.recordCommand(line)
}

// startTLS runs the server side of a TLS handshake on the raw connection
// and switches the session to it. It reports false if the session must end.
// Shutdown may interrupt the handshake, which waits for the client (see
// srvkit.Conn.Handshake).
func (c *conn) startTLS() bool {
	tlsConn, err := c.tc.Handshake(c.srv.TLSConfig, c.cfg.idle)
	if err != nil {
		c.srv.logger().Debug("smtp tls handshake failed", "remote", c.remote, "err", err)
		return false
	}
	c.nc = tlsConn
	c.fr.Conn = tlsConn
	c.tls = true
	return true
}

// stack returns the calling goroutine's stack, for panic reports.
func stack() []byte {
	buf := make([]byte, 16<<10)
	return buf[:runtime.Stack(buf, false)]
}

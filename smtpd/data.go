package smtpd

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"

	"intray/memstore"
)

// Message buffer sizing.
const (
	// initialBuf is the first capacity of a message buffer without SIZE=.
	initialBuf = 4 << 10
	// maxScratch caps the per-session buffer kept between messages; larger
	// messages get a buffer of their own.
	maxScratch = 64 << 10
	// maxPrealloc caps what a declared size (MAIL SIZE=, a BDAT chunk
	// size) may allocate before the bytes arrive: a client may declare 25
	// MiB and send ten bytes. Past it the buffer grows as data comes in,
	// by append's doubling.
	maxPrealloc = 256 << 10
)

// Replies of the data commands.
const (
	replyData    = "354 End data with <CR><LF>.<CR><LF>\r\n"
	replyQueued  = "250 2.0.0 OK: queued\r\n"
	replyChunkOK = "250 2.0.0 Chunk received\r\n"
)

// errDataTooLarge is returned by readData for a message over the limit,
// after the rest of it has been read and dropped.
var errDataTooLarge = errors.New("message too large")

// data handles DATA (RFC 5321 4.1.1.4): 354, then the dot-stuffed message
// up to CRLF.CRLF, then delivery.
func (c *conn) data(arg []byte) error {
	if c.state == stateChunk {
		return errDataAfterBdat // RFC 3030 2: no mixing in one transaction
	}
	if len(arg) > 0 {
		return errNoArgs
	}
	c.reply(replyData)
	buf, err := readData(c.br, c.messageBuffer(), c.cfg.maxSize)
	if err != nil {
		c.resetTx()
		if err == errDataTooLarge {
			return errTooLarge
		}
		return err
	}
	return c.deliver(buf)
}

// readData appends the message that follows DATA to buf, removing the dot
// stuffing (RFC 5321 4.5.2), and returns it without the terminating
// ".\r\n". Only CRLF "." CRLF ends the message: a line that ends in a bare
// LF or CR does not start a new line, so "\n.\n", "\r\n.\n", "\n.\r\n" and
// "\r.\r\n" are all data. A message over max is read to its end and
// dropped, and readData returns errDataTooLarge, so the session can go on.
// Read errors are returned as is, io.EOF as io.ErrUnexpectedEOF.
func readData(br *bufio.Reader, buf []byte, max int64) ([]byte, error) {
	bol := true     // at the beginning of a line: after CRLF
	lastCR := false // the previous segment ended in CR
	tooLarge := false
	for {
		seg, err := br.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		whole := err == nil // seg ends with LF
		out := seg
		if bol && len(seg) > 0 && seg[0] == '.' {
			if whole && len(seg) == 3 && seg[1] == '\r' {
				if tooLarge {
					return nil, errDataTooLarge
				}
				return buf, nil
			}
			out = seg[1:]
		}
		if !tooLarge {
			if int64(len(buf)+len(out)) > max {
				tooLarge = true
			} else {
				buf = append(buf, out...)
			}
		}
		n := len(seg)
		bol = whole && (n >= 2 && seg[n-2] == '\r' || n == 1 && lastCR)
		lastCR = seg[n-1] == '\r'
	}
}

// bdat handles BDAT size [LAST] (RFC 3030 2). The chunk is always read,
// even when the command is refused, so its bytes are never taken for
// commands; a refusal also ends the transaction (see abortTx).
func (c *conn) bdat(arg []byte) error {
	size, last, ok, sizeOK := parseBDAT(arg)
	if !sizeOK {
		return errBdatSyntax // the chunk size is unknown: nothing to drain
	}
	var refuse error
	switch {
	case !ok:
		refuse = errBdatSyntax
	case c.state == stateReady:
		refuse = errBdatSequence
	case c.state == stateMail:
		refuse = errNeedRcpt
	case int64(len(c.tx.body))+size > c.cfg.maxSize:
		refuse = errTooLarge
	}
	if refuse != nil {
		if err := discard(c.br, size); err != nil {
			return err
		}
		return refuse // dispatch ends the transaction (abortTx)
	}
	if c.state == stateRcpt {
		c.tx.body = c.messageBuffer()
		c.state = stateChunk
	}
	if err := c.readChunk(size); err != nil {
		return err
	}
	if !last {
		c.reply(replyChunkOK)
		return nil
	}
	return c.deliver(c.tx.body)
}

// readChunk appends size bytes of input to the transaction's body, growing
// the buffer as the bytes arrive rather than trusting the declared size.
func (c *conn) readChunk(size int64) error {
	for size > 0 {
		step := int(min(size, maxPrealloc))
		n := len(c.tx.body)
		c.tx.body = slices.Grow(c.tx.body, step)[:n+step]
		if _, err := io.ReadFull(c.br, c.tx.body[n:]); err != nil {
			return err
		}
		size -= int64(step)
	}
	return nil
}

// parseBDAT parses "size [LAST]". sizeOK reports whether at least the size
// could be parsed, so that a refused chunk can still be drained.
func parseBDAT(arg []byte) (size int64, last, ok, sizeOK bool) {
	num, rest, _ := cut(arg)
	size, sizeOK = parseDigits(num)
	if !sizeOK {
		return 0, false, false, false
	}
	rest = trimSpace(rest)
	switch {
	case len(rest) == 0:
		return size, false, true, true
	case equalFold(rest, "LAST"):
		return size, true, true, true
	}
	return size, false, false, true
}

// cut splits b at its first space.
func cut(b []byte) (before, after []byte, found bool) {
	for i, c := range b {
		if c == ' ' {
			return b[:i], b[i+1:], true
		}
	}
	return b, nil, false
}

// discard reads and drops n bytes.
func discard(br *bufio.Reader, n int64) error {
	for n > 0 {
		step := int(min(n, 1<<30))
		if _, err := br.Discard(step); err != nil {
			return err
		}
		n -= int64(step)
	}
	return nil
}

// messageBuffer returns an empty buffer for the next message: the session's
// scratch buffer, or, when SIZE= announces a large message, a new one of
// at most maxPrealloc that append grows as the data arrives.
func (c *conn) messageBuffer() []byte {
	if hint := c.tx.sizeHint; hint > int64(cap(c.scratch)) && hint > maxScratch {
		return make([]byte, 0, min(hint, maxPrealloc))
	}
	if c.scratch == nil {
		c.scratch = make([]byte, 0, max(initialBuf, min(int(c.tx.sizeHint), maxScratch)))
	}
	return c.scratch[:0]
}

// deliver hands the finished message to the store, which copies it, and
// answers. buf may be the scratch buffer.
func (c *conn) deliver(buf []byte) error {
	// The store copies the bytes, so the session keeps its buffer: a grown
	// scratch buffer is kept for the next message.
	raw := buf
	if cap(buf) <= maxScratch && cap(buf) > cap(c.scratch) {
		c.scratch = buf[:0]
	}
	t := &c.tx
	env := memstore.Envelope{
		MailFrom:   t.from,
		RcptTo:     t.rcpts,
		Helo:       c.heloName,
		RemoteAddr: c.remote,
		AuthUser:   c.authUser,
		TLS:        c.tls,
		Transcript: t.finalTranscript(replyQueued),
	}
	c.tx.body = nil
	c.resetTx()
	m, err := c.srv.Store.Add(env, raw)
	if err != nil {
		re := storeError(err)
		if re == errStoreFailed {
			c.srv.logger().Error("smtp store", "remote", c.remote, "err", err)
		}
		return re
	}
	_, _ = c.bw.WriteString(replyQueued) // already in the transcript
	if log := c.srv.logger(); m != nil && log.Enabled(context.Background(), slog.LevelDebug) {
		log.Debug("smtp message", "remote", c.remote, "id", m.ID, "from", env.MailFrom,
			"to", env.RcptTo, "size", len(raw))
	}
	return nil
}

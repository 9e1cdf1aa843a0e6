package imapd

import (
	"bytes"

	"intray/memstore"
)

// lineResult is what the IDLE reader goroutine hands back.
type lineResult struct {
	line []byte
	err  error
}

// idle answers IDLE (RFC 2177): updates are written as they happen until
// the client sends DONE. The session is marked idle meanwhile, so Shutdown
// ends it with BYE; the autologout timer applies as well.
func (c *conn) idle(req *request) error {
	if err := req.reader().end(); err != nil {
		return err
	}
	c.flushUpdates(true)
	_, _ = c.bw.WriteString("+ idling\r\n")
	if err := c.bw.Flush(); err != nil {
		return errHangup
	}
	if !c.tc.Idle() {
		c.bye("Server shutting down")
		return errHangup
	}
	if err := c.tc.ArmRead(c.srv.idleTimeout()); err != nil {
		c.readFailed(err)
		return errHangup
	}
	lines := make(chan lineResult, 1)
	// The reader goroutine reads exactly one line and ends: with the
	// client's DONE, or with an error when the deadline expires, Shutdown
	// wakes the connection, or the connection is closed. Until it ends,
	// only it touches the reader side of the connection.
	c.idleReading = true
	go func() {
		line, err := c.dec.lr.ReadLine()
		lines <- lineResult{bytes.Clone(line), err}
	}()
	c.srv.hook("idle")
	return c.idleLoop(lines)
}

// idleLoop writes updates until the reader goroutine delivers a line.
func (c *conn) idleLoop(lines <-chan lineResult) error {
	for {
		var events <-chan memstore.Event
		if c.sub != nil {
			events = c.sub.C
		}
		select {
		case ev, ok := <-events:
			if !ok {
				c.resync()
			} else {
				c.applyEvent(&ev)
				c.poll()
			}
			if c.sel != nil && c.sel.gone {
				// The reader goroutine ends when serveConn closes the
				// connection.
				c.goneBye()
				return errHangup
			}
			c.flushUpdates(true)
			if err := c.bw.Flush(); err != nil {
				// The session ends; closing the connection ends the reader.
				return errHangup
			}
		case res := <-lines:
			c.idleReading = false // the reader goroutine has ended
			return c.idleDone(res)
		}
	}
}

// idleDone handles the line that ended IDLE.
func (c *conn) idleDone(res lineResult) error {
	if res.err != nil {
		c.readFailed(res.err)
		return errHangup
	}
	if !c.tc.Busy() {
		c.bye("Server shutting down")
		return errHangup
	}
	if !bytes.EqualFold(bytes.TrimRight(res.line, "\r\n"), []byte("DONE")) {
		return bad("Expected DONE")
	}
	return nil
}

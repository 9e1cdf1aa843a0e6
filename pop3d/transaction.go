package pop3d

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"intray/memstore"
)

// maildrop is a session's snapshot of its INBOX: message number n is
// msgs[n-1]. Deletion marks live here until QUIT commits them.
type maildrop struct {
	uidValidity uint32
	msgs        []memstore.Entry
	deleted     []bool
	count       int   // messages not marked deleted
	size        int64 // their octets
}

func newMaildrop(uidValidity uint32, entries []memstore.Entry) *maildrop {
	d := &maildrop{uidValidity: uidValidity, msgs: entries, deleted: make([]bool, len(entries))}
	d.rset()
	return d
}

// rset clears every deletion mark.
func (d *maildrop) rset() {
	clear(d.deleted)
	d.count, d.size = len(d.msgs), 0
	for i := range d.msgs {
		d.size += int64(d.msgs[i].Msg.Size())
	}
}

// get returns message n, which must exist and not be marked deleted.
func (d *maildrop) get(n int) (*memstore.Entry, error) {
	if n < 1 || n > len(d.msgs) {
		return nil, errNoSuchMessage
	}
	if d.deleted[n-1] {
		return nil, msgError(n, "already deleted")
	}
	return &d.msgs[n-1], nil
}

// parseMsgNum parses a message number or a line count: decimal digits
// only, at most 9 of them.
func parseMsgNum(s string) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// msgArg parses the single message-number argument of RETR and DELE.
func msgArg(args string) (int, error) {
	a, ok := oneArg(args)
	if !ok {
		return 0, errSyntax
	}
	n, ok := parseMsgNum(a)
	if !ok {
		return 0, errSyntax
	}
	return n, nil
}

// stat answers STAT.
func (c *conn) stat(args string) error {
	if args != "" {
		return errSyntax
	}
	c.writeLine(appendPair(append(c.buf[:0], "+OK "...), int64(c.drop.count), c.drop.size))
	return nil
}

// list answers LIST [n].
func (c *conn) list(args string) error {
	return c.listing(args, func(b []byte, n int, e *memstore.Entry) []byte {
		return appendPair(b, int64(n), int64(e.Msg.Size()))
	})
}

// uidl answers UIDL [n]. A message's unique-id is "<UIDVALIDITY>.<UID>".
func (c *conn) uidl(args string) error {
	return c.listing(args, func(b []byte, n int, e *memstore.Entry) []byte {
		b = append(strconv.AppendInt(b, int64(n), 10), ' ')
		b = strconv.AppendUint(b, uint64(c.drop.uidValidity), 10)
		return strconv.AppendUint(append(b, '.'), uint64(e.UID), 10)
	})
}

// listing writes the scan listing of LIST or UIDL: one line for message n
// with an argument, else a multi-line reply of every message not deleted.
func (c *conn) listing(args string, line func(b []byte, n int, e *memstore.Entry) []byte) error {
	if args != "" {
		n, err := msgArg(args)
		if err != nil {
			return err
		}
		e, err := c.drop.get(n)
		if err != nil {
			return err
		}
		c.writeLine(line(append(c.buf[:0], "+OK "...), n, e))
		return nil
	}
	c.buf = appendCount(append(c.buf[:0], "+OK "...), int64(c.drop.count), "messages (")
	c.writeLine(appendCount(c.buf, c.drop.size, "octets)"))
	for i := range c.drop.msgs {
		if !c.drop.deleted[i] {
			c.writeLine(line(c.buf[:0], i+1, &c.drop.msgs[i]))
		}
	}
	_, _ = c.w.WriteString(".\r\n")
	return nil
}

// retr answers RETR n with the message's exact bytes.
func (c *conn) retr(args string) error {
	n, err := msgArg(args)
	if err != nil {
		return err
	}
	e, err := c.current(n)
	if err != nil {
		return err
	}
	c.writeLine(appendCount(append(c.buf[:0], "+OK "...), int64(e.Msg.Size()), "octets"))
	c.writeData(e.Msg.Raw)
	return nil
}

// top answers TOP n lines: the header, the blank line and the first lines
// of the body.
func (c *conn) top(args string) error {
	f := strings.Fields(args)
	if len(f) != 2 {
		return errSyntax
	}
	n, ok1 := parseMsgNum(f[0])
	lines, ok2 := parseMsgNum(f[1])
	if !ok1 || !ok2 {
		return errSyntax
	}
	e, err := c.current(n)
	if err != nil {
		return err
	}
	c.writeOK("top of message follows")
	c.writeData(topOf(e.Msg.Raw, lines))
	return nil
}

// topOf returns the prefix of raw that TOP sends: the header section, the
// blank line after it and the first n lines of the body. Without a blank
// line the whole message is header.
func topOf(raw []byte, n int) []byte {
	var body int
	if bytes.HasPrefix(raw, []byte("\r\n")) {
		body = 2
	} else if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		body = i + 4
	} else {
		return raw
	}
	end := body
	for ; n > 0 && end < len(raw); n-- {
		i := bytes.IndexByte(raw[end:], '\n')
		if i < 0 {
			return raw
		}
		end += i + 1
	}
	return raw[:end]
}

// current returns message n after checking that it was not deleted from
// the mailbox since the snapshot (by another session, IMAP, the web UI).
func (c *conn) current(n int) (*memstore.Entry, error) {
	e, err := c.drop.get(n)
	if err != nil {
		return nil, err
	}
	c.uids[0] = e.UID
	now, err := c.srv.Store.Entries(c.login, memstore.Inbox, c.uids[:])
	if err != nil {
		return nil, fmt.Errorf("pop3d: checking message %d: %w", n, err)
	}
	if len(now) == 0 {
		return nil, &replyError{code: codeSysPerm, text: "message " + strconv.Itoa(n) + " was deleted by another session"}
	}
	return e, nil
}

// dele answers DELE n: it marks the message; QUIT removes it.
func (c *conn) dele(args string) error {
	n, err := msgArg(args)
	if err != nil {
		return err
	}
	e, err := c.drop.get(n)
	if err != nil {
		return err
	}
	c.drop.deleted[n-1] = true
	c.drop.count--
	c.drop.size -= int64(e.Msg.Size())
	c.writeOK("message " + strconv.Itoa(n) + " deleted")
	return nil
}

// rset answers RSET: every deletion mark is cleared.
func (c *conn) rset(args string) error {
	if args != "" {
		return errSyntax
	}
	c.drop.rset()
	c.buf = appendCount(append(c.buf[:0], "+OK maildrop has "...), int64(c.drop.count), "messages (")
	c.writeLine(appendCount(c.buf, c.drop.size, "octets)"))
	return nil
}

// noop answers NOOP.
func (c *conn) noop(args string) error {
	if args != "" {
		return errSyntax
	}
	c.writeOK("")
	return nil
}

// quit answers QUIT. In TRANSACTION it enters UPDATE and removes the
// messages marked deleted (RFC 1939 section 6).
func (c *conn) quit(args string) error {
	if args != "" {
		return errSyntax
	}
	if c.state == stateTransaction {
		c.state = stateUpdate
		var uids []uint32
		for i, del := range c.drop.deleted {
			if del {
				uids = append(uids, c.drop.msgs[i].UID)
			}
		}
		if len(uids) > 0 {
			if _, err := c.srv.Store.Remove(c.login, memstore.Inbox, uids); err != nil {
				c.log.Error("pop3 QUIT: removing messages failed", "err", err)
				c.writeErr(codeSysTemp, "some deleted messages not removed")
				return hangUp
			}
		}
		c.writeOK("intray POP3 server signing off (" + strconv.Itoa(len(uids)) + " messages deleted)")
		return hangUp
	}
	c.writeOK("intray POP3 server signing off")
	return hangUp
}

package imapd

import (
	"time"

	"intray/memstore"
)

// copyCmd answers COPY and UID COPY (RFC 3501 6.4.7) with COPYUID
// (RFC 4315 3).
func (c *conn) copyCmd(req *request) error {
	uids, dst, err := c.copyArgs(req)
	if err != nil {
		return err
	}
	if len(uids) == 0 {
		return nil
	}
	res, err := c.srv.Store.Copy(c.login, c.sel.ref(), dst, uids)
	if err != nil {
		return tryCreate(err)
	}
	if len(res.Source) > 0 {
		req.okCode = copyUID(res)
	}
	c.poll() // a copy into the selected mailbox: EXISTS before the OK
	return nil
}

// move answers MOVE and UID MOVE (RFC 6851): COPYUID in an untagged OK,
// then the EXPUNGE responses, which MOVE may send even in its sequence
// number form.
func (c *conn) move(req *request) error {
	uids, dst, err := c.copyArgs(req)
	if err != nil {
		return err
	}
	if c.sel.readOnly {
		return errReadOnly
	}
	if len(uids) == 0 {
		return nil
	}
	res, err := c.srv.Store.Move(c.login, c.sel.ref(), dst, uids)
	if err != nil {
		return tryCreate(err)
	}
	if len(res.Source) > 0 {
		c.untagged("OK [" + copyUID(res) + "] Moved")
	}
	c.poll()
	return nil
}

// copyArgs parses "sequence-set mailbox" into the UIDs of the selected
// mailbox and the destination name.
func (c *conn) copyArgs(req *request) ([]uint32, string, error) {
	p := req.reader()
	setArg, err := p.atom()
	if err != nil {
		return nil, "", err
	}
	set, err := parseSeqSet(setArg)
	if err != nil {
		return nil, "", err
	}
	dst, err := p.mailbox()
	if err != nil {
		return nil, "", err
	}
	if err := p.end(); err != nil {
		return nil, "", err
	}
	v := c.sel
	idx, err := v.resolve(set, req.uid)
	if err != nil {
		return nil, "", err
	}
	uids := make([]uint32, 0, len(idx))
	for _, i := range idx {
		uids = append(uids, v.entries[i].UID)
	}
	return uids, dst, nil
}

// copyUID renders the COPYUID response code.
func copyUID(res memstore.CopyResult) string {
	b := append([]byte("COPYUID "), appendUint(nil, res.UIDValidity)...)
	b = append(b, ' ')
	b = appendSet(b, res.Source)
	b = append(b, ' ')
	b = appendSet(b, res.Dest)
	return string(b)
}

// appendCmd answers APPEND (RFC 3501 6.3.11) with APPENDUID (RFC 4315 3).
func (c *conn) appendCmd(req *request) error {
	p := req.reader()
	name, err := p.mailbox()
	if err != nil {
		return err
	}
	var flags memstore.Flags
	var kws []string
	if a := p.peek(); a != nil && a.kind == argList {
		list, _ := p.list()
		if flags, kws, err = parseFlags(list); err != nil {
			return err
		}
	}
	var date time.Time
	if a := p.peek(); a != nil && a.kind == argQuoted {
		p.i++
		if date, err = parseDateTime(a.s); err != nil {
			return err
		}
	}
	msg, err := p.next()
	if err != nil {
		return err
	}
	if msg.kind != argLiteral {
		return bad("Expected the message as a literal")
	}
	if err := p.end(); err != nil {
		return err
	}
	if len(msg.lit) == 0 {
		return no("", "Empty message")
	}
	uidValidity, uid, err := c.srv.Store.Append(c.login, name, msg.lit, flags, kws, date)
	if err != nil {
		return tryCreate(err)
	}
	req.okCode = "APPENDUID " + string(appendUint(nil, uidValidity)) + " " + string(appendUint(nil, uid))
	if c.sel != nil {
		c.poll()
	}
	return nil
}

package imapd

import (
	"strings"

	"intray/memstore"
)

// storeArgs is a parsed STORE command.
type storeArgs struct {
	set    seqSet
	op     memstore.FlagOp
	silent bool
	flags  memstore.Flags
	kws    []string
}

// store answers STORE and UID STORE (RFC 3501 6.4.6).
func (c *conn) store(req *request) error {
	a, err := parseStore(req.reader())
	if err != nil {
		return err
	}
	v := c.sel
	if v.readOnly {
		return errReadOnly
	}
	idx, err := v.resolve(a.set, req.uid)
	if err != nil {
		return err
	}
	uids := make([]uint32, 0, len(idx))
	for _, i := range idx {
		uids = append(uids, v.entries[i].UID)
	}
	entries, err := c.srv.Store.SetFlags(c.login, v.ref(), uids, a.op, a.flags, a.kws)
	if err != nil {
		return err
	}
	live := make(map[uint32]bool, len(entries))
	for i := range entries {
		v.setFlags(&entries[i], false)
		live[entries[i].UID] = true
	}
	if !a.silent {
		c.writeStoreResults(idx, live, req.uid)
	}
	return nil
}

// parseStore parses "sequence-set item flags".
func parseStore(p *argReader) (*storeArgs, error) {
	setArg, err := p.atom()
	if err != nil {
		return nil, err
	}
	a := &storeArgs{}
	if a.set, err = parseSeqSet(setArg); err != nil {
		return nil, err
	}
	if a.op, a.silent, err = parseStoreOp(p); err != nil {
		return nil, err
	}
	var flagArgs []arg
	if next := p.peek(); next != nil && next.kind == argList {
		flagArgs, _ = p.list()
	} else {
		flagArgs = p.args[p.i:] // RFC 3501 9: flag-list, or flags without parentheses
		p.i = len(p.args)
	}
	if a.flags, a.kws, err = parseFlags(flagArgs); err != nil {
		return nil, err
	}
	return a, p.end()
}

// parseStoreOp parses FLAGS, +FLAGS, -FLAGS with an optional .SILENT.
func parseStoreOp(p *argReader) (memstore.FlagOp, bool, error) {
	item, err := p.atom()
	if err != nil {
		return 0, false, err
	}
	item = strings.ToUpper(item)
	silent := strings.HasSuffix(item, ".SILENT")
	item = strings.TrimSuffix(item, ".SILENT")
	switch item {
	case "FLAGS":
		return memstore.FlagsReplace, silent, nil
	case "+FLAGS":
		return memstore.FlagsAdd, silent, nil
	case "-FLAGS":
		return memstore.FlagsRemove, silent, nil
	}
	return 0, false, bad("Invalid STORE item")
}

// writeStoreResults writes the FETCH FLAGS responses of a STORE for the
// messages that still exist (live). A message expunged by another session
// but not yet announced gets no FETCH: its flags were not changed and the
// cached ones would be stale. The tagged response stays OK, which RFC 2180
// 4.2.1 allows alongside NO.
func (c *conn) writeStoreResults(idx []int, live map[uint32]bool, uid bool) {
	v := c.sel
	for _, i := range idx {
		e := &v.entries[i]
		if !live[e.UID] {
			continue
		}
		b := append(c.out[:0], "* "...)
		b = appendUint(b, uint32(i+1))
		b = append(b, " FETCH ("...)
		if uid {
			b = append(b, "UID "...)
			b = appendUint(b, e.UID)
			b = append(b, ' ')
		}
		b = append(b, "FLAGS "...)
		b = appendFlags(b, e, v.isRecent(e))
		b = append(b, ")\r\n"...)
		_, _ = c.bw.Write(b)
		c.out = b[:0]
		delete(v.dirty, e.UID)
	}
}

// expunge answers EXPUNGE and UID EXPUNGE (RFC 3501 6.4.3, RFC 4315 2.1).
// The EXPUNGE responses come from the store's event, like anyone else's.
func (c *conn) expunge(req *request) error {
	p := req.reader()
	var uids []uint32
	v := c.sel
	if req.uid {
		setArg, err := p.atom()
		if err != nil {
			return err
		}
		set, err := parseSeqSet(setArg)
		if err != nil {
			return err
		}
		idx, err := v.resolve(set, true)
		if err != nil {
			return err
		}
		uids = make([]uint32, 0, len(idx))
		for _, i := range idx {
			uids = append(uids, v.entries[i].UID)
		}
		if len(uids) == 0 {
			return p.end()
		}
	}
	if err := p.end(); err != nil {
		return err
	}
	if v.readOnly {
		return errReadOnly
	}
	if _, err := c.srv.Store.Expunge(c.login, v.ref(), uids); err != nil {
		return err
	}
	c.poll()
	return nil
}

package imapd

import (
	"strconv"
	"strings"

	"intray/imapd/imapmsg"
	"intray/memstore"
)

// systemFlags is the FLAGS response of SELECT and EXAMINE.
const systemFlags = `\Answered \Flagged \Deleted \Seen \Draft`

// selectCmd answers SELECT and EXAMINE (RFC 3501 6.3.1, 6.3.2).
func (c *conn) selectCmd(req *request) error {
	p := req.reader()
	name, err := p.mailbox()
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	c.unselect() // a failed SELECT leaves no mailbox selected
	readOnly := req.name == "EXAMINE"
	sub := c.srv.Store.Subscribe(0)
	info, entries, err := c.srv.Store.Snapshot(c.login, name)
	if err != nil {
		sub.Close()
		return err
	}
	v := newView(info, entries, readOnly)
	if !readOnly {
		uids, err := c.srv.Store.ClaimRecent(c.login, name)
		if err != nil {
			sub.Close()
			return err
		}
		for _, u := range uids {
			v.recent[u] = true
		}
	}
	c.sel, c.sub, c.state = v, sub, stateSelected
	c.writeSelect(info, readOnly)
	req.okCode = "READ-WRITE"
	if readOnly {
		req.okCode = "READ-ONLY"
	}
	return nil
}

// writeSelect writes the untagged responses of SELECT/EXAMINE.
func (c *conn) writeSelect(info memstore.MailboxInfo, readOnly bool) {
	v := c.sel
	c.untagged("FLAGS (" + systemFlags + ")")
	if readOnly {
		c.untagged("OK [PERMANENTFLAGS ()] Read-only mailbox")
	} else {
		c.untagged(`OK [PERMANENTFLAGS (` + systemFlags + ` \*)] Flags permitted`)
	}
	c.writeNumber(len(v.entries), "EXISTS")
	c.writeNumber(c.recentCount(), "RECENT")
	for i := range v.entries {
		if v.entries[i].Flags&memstore.FlagSeen == 0 {
			c.untagged("OK [UNSEEN " + strconv.Itoa(i+1) + "] First unseen")
			break
		}
	}
	c.untagged("OK [UIDVALIDITY " + strconv.FormatUint(uint64(info.UIDValidity), 10) + "] UIDs valid")
	c.untagged("OK [UIDNEXT " + strconv.FormatUint(uint64(info.UIDNext), 10) + "] Predicted next UID")
}

// closeCmd answers CLOSE (RFC 3501 6.4.2): expunge silently, unless
// read-only, and leave the selected state.
func (c *conn) closeCmd(req *request) error {
	if err := req.reader().end(); err != nil {
		return err
	}
	v := c.sel
	c.unselect()
	if !v.readOnly && !v.gone {
		if _, err := c.srv.Store.Expunge(c.login, v.name, nil); err != nil {
			return err
		}
	}
	return nil
}

// unselectCmd answers UNSELECT (RFC 3691).
func (c *conn) unselectCmd(req *request) error {
	if err := req.reader().end(); err != nil {
		return err
	}
	c.unselect()
	return nil
}

// create answers CREATE (RFC 3501 6.3.3).
func (c *conn) create(req *request) error {
	p := req.reader()
	name, err := p.mailbox()
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	if name == memstore.Inbox {
		return no("ALREADYEXISTS", "INBOX always exists")
	}
	return c.srv.Store.CreateMailbox(c.login, name)
}

// deleteCmd answers DELETE (RFC 3501 6.3.4).
func (c *conn) deleteCmd(req *request) error {
	p := req.reader()
	name, err := p.mailbox()
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	return c.srv.Store.DeleteMailbox(c.login, name)
}

// rename answers RENAME (RFC 3501 6.3.5).
func (c *conn) rename(req *request) error {
	p := req.reader()
	from, err := p.mailbox()
	if err != nil {
		return err
	}
	to, err := p.mailbox()
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	if err := c.srv.Store.RenameMailbox(c.login, from, to); err != nil {
		return err
	}
	if c.sel != nil {
		c.poll() // learn the selected mailbox's new name at once
	}
	return nil
}

// subscribe answers SUBSCRIBE and UNSUBSCRIBE (RFC 3501 6.3.6, 6.3.7).
func (c *conn) subscribe(req *request) error {
	p := req.reader()
	name, err := p.mailbox()
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	return c.srv.Store.SetSubscribed(c.login, name, req.name == "SUBSCRIBE")
}

// status answers STATUS (RFC 3501 6.3.10).
func (c *conn) status(req *request) error {
	p := req.reader()
	name, err := p.mailbox()
	if err != nil {
		return err
	}
	items, err := p.list()
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	info, err := c.srv.Store.Status(c.login, name)
	if err != nil {
		return err
	}
	b := append(c.bw.AvailableBuffer(), "* STATUS "...)
	b = imapmsg.AppendAstring(b, info.Name)
	b = append(b, " ("...)
	for i := range items {
		if items[i].kind != argAtom {
			return bad("Invalid status item")
		}
		var n uint64
		switch item := strings.ToUpper(items[i].s); item {
		case "MESSAGES":
			n = uint64(info.Messages)
		case "RECENT":
			n = uint64(info.Recent)
		case "UIDNEXT":
			n = uint64(info.UIDNext)
		case "UIDVALIDITY":
			n = uint64(info.UIDValidity)
		case "UNSEEN":
			n = uint64(info.Unseen)
		default:
			return bad("Unknown status item " + items[i].s)
		}
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, strings.ToUpper(items[i].s)...)
		b = append(b, ' ')
		b = strconv.AppendUint(b, n, 10)
	}
	b = append(b, ")\r\n"...)
	_, _ = c.bw.Write(b)
	return nil
}

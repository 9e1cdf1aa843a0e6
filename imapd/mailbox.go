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
	name, err := req.onlyMailbox()
	if err != nil {
		return err
	}
	c.unselect() // a failed SELECT leaves no mailbox selected
	readOnly := req.name == "EXAMINE"
	sub := c.srv.Store.SubscribeUser(0, c.login)
	info, entries, err := c.srv.Store.Snapshot(c.login, name)
	if err != nil {
		sub.Close()
		return err
	}
	v := newView(info, entries, readOnly)
	if !readOnly {
		uids, err := c.srv.Store.ClaimRecent(c.login, v.ref())
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
		if _, err := c.srv.Store.Expunge(c.login, v.ref(), nil); err != nil {
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
	name, err := req.onlyMailbox()
	if err != nil {
		return err
	}
	if name == memstore.Inbox {
		return no("ALREADYEXISTS", "INBOX always exists")
	}
	return c.srv.Store.CreateMailbox(c.login, name)
}

// deleteCmd answers DELETE (RFC 3501 6.3.4).
func (c *conn) deleteCmd(req *request) error {
	name, err := req.onlyMailbox()
	if err != nil {
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
	name, err := req.onlyMailbox()
	if err != nil {
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
	list, err := p.list()
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	items, err := parseStatusItems(list)
	if err != nil {
		return err
	}
	info, err := c.srv.Store.Status(c.login, name)
	if err != nil {
		return err
	}
	_, _ = c.bw.Write(appendStatus(c.bw.AvailableBuffer(), &info, items))
	return nil
}

// statusItems are the STATUS data items (RFC 3501 6.3.10).
var statusItems = map[string]func(*memstore.MailboxInfo) uint64{
	"MESSAGES":    func(i *memstore.MailboxInfo) uint64 { return uint64(i.Messages) },
	"RECENT":      func(i *memstore.MailboxInfo) uint64 { return uint64(i.Recent) },
	"UIDNEXT":     func(i *memstore.MailboxInfo) uint64 { return uint64(i.UIDNext) },
	"UIDVALIDITY": func(i *memstore.MailboxInfo) uint64 { return uint64(i.UIDValidity) },
	"UNSEEN":      func(i *memstore.MailboxInfo) uint64 { return uint64(i.Unseen) },
}

// parseStatusItems checks a list of STATUS items and returns their names
// in upper case.
func parseStatusItems(list []arg) ([]string, error) {
	items := make([]string, 0, len(list))
	for i := range list {
		if list[i].kind != argAtom {
			return nil, bad("Invalid status item")
		}
		item := strings.ToUpper(list[i].s)
		if statusItems[item] == nil {
			return nil, bad("Unknown status item " + list[i].s)
		}
		items = append(items, item)
	}
	return items, nil
}

// appendStatus appends the untagged STATUS response for info.
func appendStatus(b []byte, info *memstore.MailboxInfo, items []string) []byte {
	b = append(b, "* STATUS "...)
	b = imapmsg.AppendAstring(b, info.Name)
	b = append(b, " ("...)
	for i, item := range items {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, item...)
		b = append(b, ' ')
		b = strconv.AppendUint(b, statusItems[item](info), 10)
	}
	return append(b, ")\r\n"...)
}

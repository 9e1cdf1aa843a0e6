package imapd

import (
	"sort"
	"strings"

	"intray/imapd/imapmsg"
	"intray/memstore"
)

// listItem is one candidate of a LIST or LSUB answer.
type listItem struct {
	info     memstore.MailboxInfo // zero for a level that is not a mailbox
	attrs    []string
	noselect bool // a hierarchy level that is not a mailbox itself
}

// listCommand is a parsed LIST or LSUB command. Besides RFC 3501 it takes
// the selection and return options of RFC 5258 that go-imap's client and
// others send: selection SUBSCRIBED, REMOTE (no remote mailboxes exist) and
// SPECIAL-USE (RFC 6154), return SUBSCRIBED, CHILDREN and SPECIAL-USE (both
// always sent anyway) and STATUS (RFC 5819), and a list of patterns.
// LIST-EXTENDED and LIST-STATUS are not announced.
type listCommand struct {
	lsub          bool
	ref           string
	patterns      []string
	selSubscribed bool     // only subscribed mailboxes, marked \Subscribed
	selSpecialUse bool     // only special-use mailboxes
	retSubscribed bool     // mark subscribed mailboxes \Subscribed
	retStatus     []string // STATUS items to send for each mailbox
}

// list answers LIST and LSUB (RFC 3501 6.3.8, 6.3.9) with the CHILDREN
// (RFC 3348) and SPECIAL-USE (RFC 6154) attributes.
func (c *conn) list(req *request) error {
	lc, err := parseList(req)
	if err != nil {
		return err
	}
	if len(lc.patterns) == 1 && lc.patterns[0] == "" {
		if !lc.lsub {
			c.untagged(`LIST (\Noselect) "/" ""`)
		}
		return nil
	}
	percent := false
	for i, pat := range lc.patterns {
		lc.patterns[i] = canonicalPattern(joinRef(lc.ref, pat))
		percent = percent || strings.IndexByte(pat, '%') >= 0
	}
	subscribedOnly := lc.lsub || lc.selSubscribed
	for _, it := range listItems(c.srv.Store.ListMailboxes(c.login), subscribedOnly, lc.lsub, percent) {
		if !lc.matches(&it) {
			continue
		}
		c.writeListItem(req.name, &it, lc.retSubscribed || lc.selSubscribed)
		if lc.retStatus != nil && !it.noselect {
			_, _ = c.bw.Write(appendStatus(c.bw.AvailableBuffer(), &it.info, lc.retStatus))
		}
	}
	return nil
}

// matches reports whether it is to be listed.
func (lc *listCommand) matches(it *listItem) bool {
	if lc.selSpecialUse && it.info.SpecialUse == "" {
		return false
	}
	for _, pat := range lc.patterns {
		if matchPattern(pat, it.info.Name) {
			return true
		}
	}
	return false
}

// writeListItem writes one LIST or LSUB response.
func (c *conn) writeListItem(name string, it *listItem, subscribed bool) {
	b := append(c.bw.AvailableBuffer(), "* "...)
	b = append(b, name...)
	b = append(b, " ("...)
	b = append(b, strings.Join(it.attrs, " ")...)
	if subscribed && it.info.Subscribed && !it.noselect {
		if len(it.attrs) > 0 {
			b = append(b, ' ')
		}
		b = append(b, `\Subscribed`...)
	}
	b = append(b, `) "/" `...)
	b = imapmsg.AppendString(b, it.info.Name)
	b = append(b, "\r\n"...)
	_, _ = c.bw.Write(b)
}

// parseList parses "[(selection)] reference pattern|(patterns) [RETURN
// (options)]".
func parseList(req *request) (*listCommand, error) {
	lc := &listCommand{lsub: req.name == "LSUB"}
	p := req.reader()
	if a := p.peek(); !lc.lsub && a != nil && a.kind == argList {
		p.i++
		if err := lc.selection(a.list); err != nil {
			return nil, err
		}
	}
	ref, err := p.astring()
	if err != nil {
		return nil, err
	}
	lc.ref = ref
	if a := p.peek(); !lc.lsub && a != nil && a.kind == argList {
		p.i++
		for i := range a.list {
			if a.list[i].kind == argList {
				return nil, bad("Invalid mailbox pattern")
			}
			lc.patterns = append(lc.patterns, a.list[i].str())
		}
		if len(lc.patterns) == 0 {
			return nil, bad("Empty pattern list")
		}
	} else {
		pat, err := p.astring()
		if err != nil {
			return nil, err
		}
		lc.patterns = []string{pat}
	}
	if a := p.peek(); !lc.lsub && a != nil && a.kind == argAtom && strings.EqualFold(a.s, "RETURN") {
		p.i++
		opts, err := p.list()
		if err != nil {
			return nil, err
		}
		if err := lc.returnOptions(opts); err != nil {
			return nil, err
		}
	}
	return lc, p.end()
}

// selection parses RFC 5258 selection options.
func (lc *listCommand) selection(opts []arg) error {
	for i := range opts {
		if opts[i].kind != argAtom {
			return bad("Invalid LIST selection option")
		}
		switch strings.ToUpper(opts[i].s) {
		case "SUBSCRIBED":
			lc.selSubscribed = true
		case "REMOTE":
		case "SPECIAL-USE":
			lc.selSpecialUse = true
		default:
			// RECURSIVEMATCH would need CHILDINFO; unknown options are
			// an error (RFC 5258 3).
			return bad("Unsupported LIST selection option " + opts[i].s)
		}
	}
	return nil
}

// returnOptions parses RFC 5258 return options.
func (lc *listCommand) returnOptions(opts []arg) error {
	for i := 0; i < len(opts); i++ {
		if opts[i].kind != argAtom {
			return bad("Invalid LIST return option")
		}
		switch strings.ToUpper(opts[i].s) {
		case "SUBSCRIBED":
			lc.retSubscribed = true
		case "CHILDREN", "SPECIAL-USE":
		case "STATUS":
			if i+1 >= len(opts) || opts[i+1].kind != argList {
				return bad("STATUS needs a list of items")
			}
			i++
			items, err := parseStatusItems(opts[i].list)
			if err != nil {
				return err
			}
			lc.retStatus = items
		default:
			return bad("Unsupported LIST return option " + opts[i].s)
		}
	}
	return nil
}

// listItems returns the mailboxes (subscribedOnly: the subscribed ones)
// and the hierarchy levels above them that do not exist, INBOX first, then
// by name. LSUB leaves out the CHILDREN and SPECIAL-USE attributes and
// lists unsubscribed levels only for a '%' pattern (RFC 3501 6.3.9).
func listItems(mbs []memstore.MailboxInfo, subscribedOnly, lsub, percent bool) []listItem {
	exists := make(map[string]bool, len(mbs))
	for _, mb := range mbs {
		exists[mb.Name] = !subscribedOnly || mb.Subscribed
	}
	hasChildren, implied := hierarchy(mbs, exists, lsub && percent, !subscribedOnly)
	var out []listItem
	for _, mb := range mbs {
		if !exists[mb.Name] {
			continue
		}
		it := listItem{info: mb}
		if !lsub {
			it.attrs = append(it.attrs, childAttr(hasChildren[mb.Name]))
			if mb.SpecialUse != "" {
				it.attrs = append(it.attrs, mb.SpecialUse)
			}
		}
		out = append(out, it)
	}
	for _, name := range implied {
		it := listItem{info: memstore.MailboxInfo{Name: name}, noselect: true, attrs: []string{`\Noselect`}}
		if !lsub {
			it.attrs = append(it.attrs, `\HasChildren`)
		}
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].info.Name == memstore.Inbox) != (out[j].info.Name == memstore.Inbox) {
			return out[i].info.Name == memstore.Inbox
		}
		return out[i].info.Name < out[j].info.Name
	})
	return out
}

// hierarchy finds the names that have children and the levels above
// listed mailboxes that are not listed themselves: with all, every such
// level; with lsubPercent, those above a listed (subscribed) mailbox.
func hierarchy(mbs []memstore.MailboxInfo, listed map[string]bool, lsubPercent, all bool) (hasChildren map[string]bool, implied []string) {
	hasChildren = map[string]bool{}
	seen := map[string]bool{}
	for _, mb := range mbs {
		name := mb.Name
		for i := strings.LastIndex(name, memstore.Delimiter); i > 0; i = strings.LastIndex(name, memstore.Delimiter) {
			name = name[:i]
			hasChildren[name] = true
			if !listed[name] && !seen[name] && (all || (lsubPercent && listed[mb.Name])) {
				seen[name] = true
				implied = append(implied, name)
			}
		}
	}
	return hasChildren, implied
}

func childAttr(has bool) string {
	if has {
		return `\HasChildren`
	}
	return `\HasNoChildren`
}

// joinRef combines a LIST reference and pattern (RFC 3501 6.3.8).
func joinRef(ref, pat string) string {
	switch {
	case ref == "" || strings.HasPrefix(pat, memstore.Delimiter):
		return pat
	case strings.HasSuffix(ref, memstore.Delimiter):
		return ref + pat
	}
	return ref + memstore.Delimiter + pat
}

// canonicalPattern upper-cases a leading "inbox" level, since INBOX is
// case-insensitive (RFC 3501 5.1).
func canonicalPattern(p string) string {
	n := len(memstore.Inbox)
	if len(p) >= n && strings.EqualFold(p[:n], memstore.Inbox) && (len(p) == n || p[n:n+1] == memstore.Delimiter) {
		return memstore.Inbox + p[n:]
	}
	return p
}

// matchPattern matches a mailbox name against a LIST pattern: '*' matches
// anything, '%' anything but the hierarchy delimiter. It runs in
// O(len(pattern) * len(name)).
func matchPattern(pattern, name string) bool {
	// cur[j]: pattern[:i] matches name[:j].
	cur := make([]bool, len(name)+1)
	next := make([]bool, len(name)+1)
	cur[0] = true
	for i := 0; i < len(pattern); i++ {
		pc := pattern[i]
		clear(next)
		for j := 0; j <= len(name); j++ {
			switch pc {
			case '*', '%':
				// Zero characters, or one more than a match at j-1.
				next[j] = cur[j] || (j > 0 && next[j-1] && (pc == '*' || name[j-1] != '/'))
			default:
				next[j] = j > 0 && cur[j-1] && name[j-1] == pc
			}
		}
		cur, next = next, cur
	}
	return cur[len(name)]
}

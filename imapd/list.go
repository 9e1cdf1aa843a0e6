package imapd

import (
	"sort"
	"strings"

	"intray/imapd/imapmsg"
	"intray/memstore"
)

// listItem is one candidate of a LIST or LSUB answer.
type listItem struct {
	name     string
	attrs    []string
	noselect bool // a hierarchy level that is not a mailbox itself
}

// list answers LIST and LSUB (RFC 3501 6.3.8, 6.3.9) with the CHILDREN
// (RFC 3348) and SPECIAL-USE (RFC 6154) attributes.
func (c *conn) list(req *request) error {
	p := req.reader()
	ref, err := p.astring()
	if err != nil {
		return err
	}
	pat, err := p.astring()
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	lsub := req.name == "LSUB"
	if pat == "" {
		if !lsub {
			c.untagged(`LIST (\Noselect) "/" ""`)
		}
		return nil
	}
	pattern := canonicalPattern(joinRef(ref, pat))
	for _, it := range listItems(c.srv.Store.ListMailboxes(c.login), lsub, strings.IndexByte(pattern, '%') >= 0) {
		if !matchPattern(pattern, it.name) {
			continue
		}
		b := append(c.bw.AvailableBuffer(), "* "...)
		b = append(b, req.name...)
		b = append(b, " ("...)
		b = append(b, strings.Join(it.attrs, " ")...)
		b = append(b, `) "/" `...)
		b = imapmsg.AppendString(b, it.name)
		b = append(b, "\r\n"...)
		_, _ = c.bw.Write(b)
	}
	return nil
}

// listItems returns the mailboxes (LSUB: the subscribed ones) and the
// hierarchy levels above them that do not exist, INBOX first, then by name.
// LSUB lists unsubscribed levels only for a '%' pattern (RFC 3501 6.3.9).
func listItems(mbs []memstore.MailboxInfo, lsub, percent bool) []listItem {
	exists := make(map[string]bool, len(mbs))
	for _, mb := range mbs {
		exists[mb.Name] = !lsub || mb.Subscribed
	}
	hasChildren := map[string]bool{}
	implied := map[string]bool{}
	for _, mb := range mbs {
		name := mb.Name
		for i := strings.LastIndex(name, memstore.Delimiter); i > 0; i = strings.LastIndex(name, memstore.Delimiter) {
			name = name[:i]
			hasChildren[name] = true
			if !exists[name] && (!lsub || (percent && exists[mb.Name])) {
				implied[name] = true
			}
		}
	}
	var out []listItem
	for _, mb := range mbs {
		if !exists[mb.Name] {
			continue
		}
		it := listItem{name: mb.Name}
		if !lsub {
			it.attrs = append(it.attrs, childAttr(hasChildren[mb.Name]))
			if mb.SpecialUse != "" {
				it.attrs = append(it.attrs, mb.SpecialUse)
			}
		}
		out = append(out, it)
	}
	for name := range implied {
		it := listItem{name: name, noselect: true, attrs: []string{`\Noselect`}}
		if !lsub {
			it.attrs = append(it.attrs, `\HasChildren`)
		}
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].name == memstore.Inbox) != (out[j].name == memstore.Inbox) {
			return out[i].name == memstore.Inbox
		}
		return out[i].name < out[j].name
	})
	return out
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

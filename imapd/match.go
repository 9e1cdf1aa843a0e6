package imapd

import (
	"strings"
	"time"
	"unicode/utf8"

	"intray/internal/fold"
	"intray/memstore"
	"intray/memstore/mimepart"
)

// matcher evaluates a search program against the entries of a view.
type matcher struct {
	v *view
}

// match reports whether entry i satisfies k.
func (m *matcher) match(k *searchKey, i int) bool {
	switch k.op {
	case sAll:
		return true
	case sAnd:
		for _, s := range k.subs {
			if !m.match(s, i) {
				return false
			}
		}
		return true
	case sOr:
		return m.match(k.subs[0], i) || m.match(k.subs[1], i)
	case sNot:
		return !m.match(k.subs[0], i)
	case sSeq:
		return inSet(k.set, uint32(i+1), uint32(len(m.v.entries)))
	case sUID:
		return inSet(k.set, m.v.entries[i].UID, m.v.entries[len(m.v.entries)-1].UID)
	}
	if ok, decided := m.matchFlags(k, &m.v.entries[i]); decided {
		return ok
	}
	return matchMessage(k, m.v.entries[i].Msg)
}

// matchFlags evaluates the keys on flags, keywords and \Recent; decided
// is false for any other key.
func (m *matcher) matchFlags(k *searchKey, e *memstore.Entry) (ok, decided bool) {
	switch k.op {
	case sFlag:
		return e.Flags&k.flag != 0, true
	case sNoFlag:
		return e.Flags&k.flag == 0, true
	case sKeyword, sUnkeyword:
		has := false
		for _, kw := range e.Keywords {
			has = has || strings.EqualFold(kw, k.str)
		}
		return has == (k.op == sKeyword), true
	case sRecent:
		return m.v.isRecent(e), true
	case sNew:
		return m.v.isRecent(e) && e.Flags&memstore.FlagSeen == 0, true
	case sOld:
		return !m.v.isRecent(e), true
	}
	return false, false
}

// matchMessage evaluates the keys that depend on the message itself.
func matchMessage(k *searchKey, msg *memstore.Message) bool {
	switch k.op {
	case sBefore, sOn, sSince:
		return compareDay(msg.ReceivedAt, k.date, k.op-sBefore)
	case sSentBefore, sSentOn, sSentSince:
		d := msg.Date
		if d.IsZero() {
			d = msg.ReceivedAt // no usable Date header: as Dovecot does
		}
		return compareDay(d, k.date, k.op-sSentBefore)
	case sLarger:
		return int64(len(msg.Raw)) > k.n
	case sSmaller:
		return int64(len(msg.Raw)) < k.n
	case sHeader:
		return matchHeader(msg.Tree().Header, k.field, k.str)
	case sBody:
		return matchText(msg, k.str, false)
	case sText:
		return matchText(msg, k.str, true)
	}
	return false
}

// compareDay compares the dates (time of day and zone disregarded) of t
// and d: rel 0 is "before", 1 "on", 2 "since" (on or after).
func compareDay(t, d time.Time, rel searchOp) bool {
	y, mo, dd := t.Date()
	day := time.Date(y, mo, dd, 0, 0, 0, 0, time.UTC)
	switch rel {
	case 0:
		return day.Before(d)
	case 1:
		return day.Equal(d)
	}
	return !day.Before(d)
}

// inSet reports whether n is in set, where '*' stands for last.
func inSet(set seqSet, n, last uint32) bool {
	for _, r := range set {
		lo, hi := r.lo, r.hi
		if lo == 0 {
			lo = last
		}
		if hi == 0 {
			hi = last
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if lo <= n && n <= hi {
			return true
		}
	}
	return false
}

// matchHeader reports whether a field called name has a decoded value that
// contains needle (lower-cased); an empty needle matches any such field.
func matchHeader(h mimepart.Header, name, needle string) bool {
	for i := range h {
		if strings.EqualFold(h[i].Name, name) && containsFold(h[i].Value, needle) {
			return true
		}
	}
	return false
}

// matchText reports whether the message's text contains needle
// (lower-cased), case-insensitively, after transfer and charset decoding.
// BODY (withHeader false) looks at the text leaves only: text/* parts that
// are neither multipart nor an encapsulated message, decoded, including
// those of encapsulated messages; MIME boundaries, part headers and
// non-text parts (attachments, base64 data) never match. TEXT (withHeader)
// also matches the decoded header values of the message and of every
// encapsulated message.
//
// A single-part text message in ASCII or UTF-8 without a transfer encoding
// is its own decoded text, so an ASCII needle is looked for in its raw body
// bytes at memchr speed, without decoding anything.
func matchText(msg *memstore.Message, needle string, withHeader bool) bool {
	tree := msg.Tree()
	if withHeader && matchHeaderValues(tree.Header, needle) {
		return true
	}
	if isASCII(needle) && rawIsText(tree) {
		return fold.Index(msg.Raw[tree.BodyStart:tree.BodyEnd], needle) >= 0
	}
	found := false
	tree.Walk(func(p *mimepart.Part) bool {
		if p.Embedded != nil && withHeader && matchHeaderValues(p.Embedded.Header, needle) {
			found = true
		}
		if !found && len(p.Parts) == 0 && p.Embedded == nil && strings.HasPrefix(p.MediaType, "text/") {
			text, _ := p.Text(msg.Raw)
			found = containsFold(text, needle)
		}
		return !found
	})
	return found
}

// matchHeaderValues reports whether a decoded value of h contains needle.
func matchHeaderValues(h mimepart.Header, needle string) bool {
	for i := range h {
		if containsFold(h[i].Value, needle) {
			return true
		}
	}
	return false
}

// rawIsText reports whether the body of the message tree is, byte for
// byte, its decoded text: a single text/* part in ASCII or UTF-8 without a
// transfer encoding.
func rawIsText(tree *mimepart.Part) bool {
	if len(tree.Parts) > 0 || tree.Embedded != nil || !strings.HasPrefix(tree.MediaType, "text/") {
		return false
	}
	switch tree.Encoding {
	case "7bit", "8bit", "binary":
	default:
		return false
	}
	switch tree.Charset {
	case "us-ascii", "utf-8":
		return true
	}
	return false
}

// containsFold reports whether s contains needle (already lower-cased),
// ignoring case.
func containsFold(s, needle string) bool {
	if needle == "" {
		return true
	}
	if isASCII(needle) {
		return fold.IndexString(s, needle) >= 0
	}
	return strings.Contains(strings.ToLower(s), needle)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

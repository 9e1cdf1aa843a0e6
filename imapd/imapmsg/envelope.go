package imapmsg

import (
	"strings"

	"intray/memstore/mimepart"
)

// Placeholders for the parts of a broken address, as Dovecot sends them.
// A NIL host would turn the address into a group marker (RFC 3501 7.4.2).
const (
	missingMailbox = "MISSING_MAILBOX"
	missingDomain  = "MISSING_DOMAIN"
)

// envFields holds the raw values of the header fields an ENVELOPE needs;
// has* records presence, which matters where an empty value differs from
// an absent one.
type envFields struct {
	date, subject, from, sender, replyTo, to, cc, bcc, inReplyTo, messageID string
	hasSubject                                                              bool
}

// collect fills f from h; the first occurrence of a field wins.
func (f *envFields) collect(h mimepart.Header) {
	var seen uint16
	for i := range h {
		var slot *string
		var bit uint16
		switch n := h[i].Name; len(n) {
		case 2:
			slot, bit = pick(n, "To", &f.to, 1)
			if slot == nil {
				slot, bit = pick(n, "Cc", &f.cc, 2)
			}
		case 3:
			slot, bit = pick(n, "Bcc", &f.bcc, 4)
		case 4:
			slot, bit = pick(n, "Date", &f.date, 8)
			if slot == nil {
				slot, bit = pick(n, "From", &f.from, 16)
			}
		case 6:
			slot, bit = pick(n, "Sender", &f.sender, 32)
		case 7:
			slot, bit = pick(n, "Subject", &f.subject, 64)
		case 8:
			slot, bit = pick(n, "Reply-To", &f.replyTo, 128)
		case 10:
			slot, bit = pick(n, "Message-ID", &f.messageID, 256)
		case 11:
			slot, bit = pick(n, "In-Reply-To", &f.inReplyTo, 512)
		}
		if slot != nil && seen&bit == 0 {
			seen |= bit
			*slot = h[i].Raw
		}
	}
	f.hasSubject = seen&64 != 0
}

func pick(name, want string, slot *string, bit uint16) (*string, uint16) {
	if strings.EqualFold(name, want) {
		return slot, bit
	}
	return nil, 0
}

// AppendEnvelope appends the ENVELOPE structure (RFC 3501 7.4.2) of the
// message whose root is part: the root from mimepart.Parse, or the
// Embedded root of a message/rfc822 part. Values are the raw, unfolded
// header values; missing fields are NIL; Sender and Reply-To default to
// From when absent or empty. raw is the message part was parsed from; a
// nil part gives an envelope of NILs.
func AppendEnvelope(dst []byte, raw []byte, part *mimepart.Part) []byte {
	var f envFields
	if part != nil {
		f.collect(part.Header)
	}
	var buf [128]byte
	scratch := buf[:0]
	dst = append(dst, '(')
	dst = appendNStr(dst, f.date)
	dst = append(dst, ' ')
	dst = AppendNString(dst, f.subject, !f.hasSubject)
	dst = append(dst, ' ')
	fromAt := len(dst)
	dst, scratch = appendAddrList(dst, scratch, f.from)
	fromList := dst[fromAt:]
	for _, v := range [...]string{f.sender, f.replyTo} {
		dst = append(dst, ' ')
		at := len(dst)
		if dst, scratch = appendAddrList(dst, scratch, v); string(dst[at:]) == "NIL" {
			dst = append(dst[:at], fromList...)
		}
		fromList = dst[fromAt : fromAt+len(fromList)] // dst may have moved
	}
	for _, v := range [...]string{f.to, f.cc, f.bcc} {
		dst = append(dst, ' ')
		dst, scratch = appendAddrList(dst, scratch, v)
	}
	dst = append(dst, ' ')
	dst = appendNStr(dst, f.inReplyTo)
	dst = append(dst, ' ')
	dst = appendNStr(dst, f.messageID)
	return append(dst, ')')
}

// Token kinds returned by nextToken besides the special characters
// themselves.
const (
	tokEOF     = 0
	tokAtom    = 'a'
	tokQuoted  = 'q'
	tokComment = 'c'
)

// nextToken returns the token of s starting at or after i: its kind, the
// span of its content (inside the quotes or parentheses for quoted strings
// and comments) and the index just past it. Unterminated quoted strings and
// comments run to the end of s.
func nextToken(s string, i int) (kind byte, a, b, j int) {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i >= len(s) {
		return tokEOF, i, i, i
	}
	switch c := s[i]; c {
	case '"':
		j = i + 1
		for j < len(s) && s[j] != '"' {
			if s[j] == '\\' {
				j++
			}
			j++
		}
		j = min(j, len(s))
		if j < len(s) {
			return tokQuoted, i + 1, j, j + 1
		}
		return tokQuoted, i + 1, j, j
	case '(':
		depth := 0
		for j = i; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth == 0 {
				return tokComment, i + 1, j, j + 1
			}
		}
		return tokComment, i + 1, len(s), len(s)
	case ',', ';', ':', '<', '>', '@':
		return c, i, i + 1, i + 1
	}
	j = i
	for j < len(s) && !isSpace(s[j]) && !isAddrSpecial(s[j]) {
		j++
	}
	return tokAtom, i, j, j
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// isAddrSpecial reports whether c ends an atom. A stray ')' does not: it
// would otherwise make an empty token and stall the scanner.
func isAddrSpecial(c byte) bool {
	switch c {
	case '"', '(', ',', ';', ':', '<', '>', '@':
		return true
	}
	return false
}

// addrItem is one element of an address list: a mailbox, a group start
// (term ':') or nothing. Offsets index the header value; -1 means absent.
type addrItem struct {
	start, end int  // the item, without its terminator
	next       int  // where the next item starts
	term       byte // ',', ';' (group end), ':' (group start) or 0 (end)
	lt, gt     int  // the angle brackets of an angle-addr
	at         int  // the last '@' outside an angle-addr
	c0, c1     int  // the content of the first comment
	words      int  // atoms and quoted strings outside an angle-addr
}

// scanItem finds the item of s that starts at i.
func scanItem(s string, i int, inGroup bool) addrItem {
	it := addrItem{start: i, end: len(s), next: len(s), lt: -1, gt: -1, at: -1, c0: -1, c1: -1}
	for {
		kind, a, b, j := nextToken(s, i)
		switch kind {
		case tokEOF:
			return it
		case ',', ';':
			if kind == ';' && inGroup {
				it.term = ';'
			} else {
				it.term = ','
			}
			it.end, it.next = a, j
			return it
		case ':':
			if !inGroup && it.lt < 0 && it.at < 0 {
				it.term, it.end, it.next = ':', a, j
				return it
			}
		case '<':
			if it.lt < 0 {
				it.lt, it.gt = a, len(s)
				j = angleEnd(s, j)
				if j < len(s) {
					it.gt = j
					j++
				}
			}
		case '@':
			if it.lt < 0 {
				it.at = a
			}
		case tokComment:
			if it.c0 < 0 {
				it.c0, it.c1 = a, b
			}
		case tokAtom, tokQuoted:
			if it.lt < 0 {
				it.words++
			}
		}
		i = j
	}
}

// angleEnd returns the index of the '>' that closes an angle-addr whose
// content starts at i, or len(s).
func angleEnd(s string, i int) int {
	for {
		kind, a, _, j := nextToken(s, i)
		if kind == tokEOF || kind == '>' {
			return a
		}
		i = j
	}
}

// appendAddrList appends the RFC 3501 form of the RFC 5322 address list
// in the raw header value v, or NIL when it holds no address. scratch is
// a buffer for display names and addr-specs that are not contiguous in v;
// it is returned for reuse, like those of the helpers below (passing it
// along instead of keeping it in a struct lets it live on the stack).
func appendAddrList(dst, scratch []byte, v string) ([]byte, []byte) {
	start := len(dst)
	dst = append(dst, '(')
	inGroup, i := false, 0
	for i < len(v) {
		it := scanItem(v, i, inGroup)
		i = it.next
		switch {
		case it.term == ':':
			dst = append(dst, "(NIL NIL "...)
			scratch = phrase(scratch, v, it.start, it.end)
			dst = appendStr(dst, scratch, false)
			dst = append(dst, " NIL)"...)
			inGroup = true
		case it.lt >= 0:
			dst, scratch = appendAngle(dst, scratch, v, it)
		case it.words > 0:
			dst, scratch = appendSpec(dst, scratch, v, it)
		}
		if it.term == ';' {
			dst = append(dst, "(NIL NIL NIL NIL)"...)
			inGroup = false
		}
	}
	if inGroup {
		dst = append(dst, "(NIL NIL NIL NIL)"...)
	}
	if len(dst) == start+1 {
		return append(dst[:start], "NIL"...), scratch
	}
	return append(dst, ')'), scratch
}

// appendAngle appends the address of a "phrase <route:local@domain>" item.
func appendAngle(dst, scratch []byte, v string, it addrItem) ([]byte, []byte) {
	inner := trimSpace(v[it.lt+1 : it.gt])
	adl := ""
	if strings.HasPrefix(inner, "@") {
		if colon := strings.IndexByte(inner, ':'); colon >= 0 {
			adl, inner = inner[:colon], inner[colon+1:]
		}
	}
	name := phrase(scratch, v, it.start, it.lt)
	if len(name) == 0 && it.c0 >= 0 {
		name = commentName(scratch, v, it.c0, it.c1)
	}
	at := lastAt(inner)
	local, domain := inner, ""
	if at >= 0 {
		local, domain = inner[:at], inner[at+1:]
	}
	return appendAddress(dst, name, adl, local, domain)
}

// appendSpec appends the address of a bare "local@domain (comment)" item;
// an item without '@' is a bare name or a local part without a domain.
func appendSpec(dst, scratch []byte, v string, it addrItem) ([]byte, []byte) {
	name := scratch[:0]
	if it.c0 >= 0 {
		name = commentName(scratch, v, it.c0, it.c1)
	}
	if it.at < 0 {
		if it.words > 1 {
			return appendAddress(dst, phrase(scratch, v, it.start, it.end), "", "", "")
		}
		return appendAddress(dst, name, "", v[it.start:it.end], "")
	}
	return appendAddress(dst, name, "", v[it.start:it.at], v[it.at+1:it.end])
}

// appendAddress appends one address structure; local and domain are raw
// spans still holding quotes, comments and white space. name is in the
// scratch buffer, which is reused once name is written.
func appendAddress(dst, name []byte, adl, local, domain string) ([]byte, []byte) {
	scratch := name[:0]
	dst = append(dst, '(')
	dst = appendNStr(dst, name)
	dst = append(dst, ' ')
	dst = appendNStr(dst, adl)
	dst = append(dst, ' ')
	if scratch = specText(scratch, local); len(scratch) > 0 {
		dst = appendStr(dst, scratch, false)
	} else {
		dst = append(dst, `"`+missingMailbox+`"`...)
	}
	dst = append(dst, ' ')
	if scratch = specText(scratch, domain); len(scratch) > 0 {
		dst = appendStr(dst, scratch, false)
	} else {
		dst = append(dst, `"`+missingDomain+`"`...)
	}
	return append(dst, ')'), scratch
}

// specText returns the text of a local part or domain: its atoms and the
// content of its quoted strings, concatenated without white space and
// comments (RFC 3501 7.4.2 "after removing RFC 2822 quoting"). The
// result reuses scratch.
func specText(scratch []byte, s string) []byte {
	s = trimSpace(s)
	scratch = scratch[:0]
	if !needsTokens(s, true) {
		return append(scratch, s...)
	}
	for i := 0; ; {
		kind, a, b, j := nextToken(s, i)
		switch kind {
		case tokEOF:
			return scratch
		case tokQuoted:
			scratch = appendUnescaped(scratch, s[a:b])
		case tokComment:
		default:
			scratch = append(scratch, s[a:b]...)
		}
		i = j
	}
}

// phrase returns the display name in s[i:j]: its words separated by
// single spaces, quoted strings unquoted, comments left out. Encoded words
// stay encoded. The result reuses scratch.
func phrase(scratch []byte, s string, i, j int) []byte {
	s = trimSpace(s[i:j])
	scratch = scratch[:0]
	if !needsTokens(s, false) {
		return append(scratch, s...)
	}
	for i := 0; ; {
		kind, a, b, j := nextToken(s, i)
		switch kind {
		case tokEOF:
			return scratch
		case tokComment:
		default:
			if len(scratch) > 0 {
				scratch = append(scratch, ' ')
			}
			if kind == tokQuoted {
				scratch = appendUnescaped(scratch, s[a:b])
			} else {
				scratch = append(scratch, s[a:b]...)
			}
		}
		i = j
	}
}

// commentName returns the content of a comment used as a display name,
// with its escapes removed. The result reuses scratch.
func commentName(scratch []byte, s string, a, b int) []byte {
	return appendUnescaped(scratch[:0], trimSpace(s[a:b]))
}

// needsTokens reports whether the trimmed span s must be rebuilt token by
// token: it has quotes, comments, escapes, or white space other than single
// spaces (any white space at all when spaceToo is set).
func needsTokens(s string, spaceToo bool) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', '(', ')', '\\', '\t', '\r', '\n':
			return true
		case ' ':
			if spaceToo || (i+1 < len(s) && s[i+1] == ' ') {
				return true
			}
		}
	}
	return false
}

// lastAt returns the index of the last '@' of s outside quoted strings,
// or -1.
func lastAt(s string) int {
	at := -1
	for i := 0; ; {
		kind, a, _, j := nextToken(s, i)
		if kind == tokEOF {
			return at
		}
		if kind == '@' {
			at = a
		}
		i = j
	}
}

// appendUnescaped appends s with RFC 5322 quoted-pair backslashes
// removed.
func appendUnescaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		dst = append(dst, s[i])
	}
	return dst
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

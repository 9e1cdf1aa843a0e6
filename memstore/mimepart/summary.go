package mimepart

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// SnippetLen is the most runes a Summary's Snippet holds.
const SnippetLen = 100

// Summary holds the fields a message list shows, parsed once at ingest.
type Summary struct {
	From                 Address
	To, Cc, Bcc, ReplyTo []Address
	Subject              string
	Date                 time.Time // zero if missing or unparsable
	MessageID            string    // without angle brackets
	Snippet              string    // the start of the body text, whitespace collapsed
	HasAttachments       bool      // some part IsAttachment
}

// ParseSummary parses raw and returns its Summary; it is Parse followed by
// (*Part).Summary, but without copying the header: the Summary's strings
// may point into raw, so raw must not change while they are in use (copy
// them to keep them longer). It never panics.
func ParseSummary(raw []byte) Summary {
	return parse(raw, true).Summary(raw)
}

// Summary computes the Summary of the message p, which must be the root
// Parse returned for raw. Addresses come from the first From, To, Cc, Bcc
// and Reply-To fields (ParseAddressList); Date is read leniently (missing
// weekday or comma, named or "GMT+hhmm" zones, ISO 8601, asctime, no zone
// meaning UTC). The Snippet is the first SnippetLen runes of the plain
// text body or, without one, of the HTML body's visible text; only as much
// of the body as needed is decoded.
func (p *Part) Summary(raw []byte) Summary {
	var s Summary
	var seen uint8
	for i := range p.Header {
		f := &p.Header[i]
		k := summaryField(f.Name)
		if k == 0 || seen&(1<<k) != 0 {
			continue // only the first of each field counts
		}
		seen |= 1 << k
		switch k {
		case sfFrom:
			if from := ParseAddressList(f.Raw); len(from) > 0 {
				s.From = from[0]
			}
		case sfTo:
			s.To = ParseAddressList(f.Raw)
		case sfCc:
			s.Cc = ParseAddressList(f.Raw)
		case sfBcc:
			s.Bcc = ParseAddressList(f.Raw)
		case sfReplyTo:
			s.ReplyTo = ParseAddressList(f.Raw)
		case sfSubject:
			s.Subject = f.Value
		case sfDate:
			s.Date = parseDate(f.Raw)
		case sfMessageID:
			s.MessageID = messageID(f.Raw)
		}
	}
	text, htm := p.bodyParts()
	switch {
	case text != nil:
		s.Snippet = snippet(text, raw, false)
	case htm != nil:
		s.Snippet = snippet(htm, raw, true)
	}
	p.Walk(func(q *Part) bool {
		if q.IsAttachment() {
			s.HasAttachments = true
		}
		return !s.HasAttachments
	})
	return s
}

// Header fields Summary reads, numbered for summaryField.
const (
	sfNone = iota
	sfFrom
	sfTo
	sfCc
	sfBcc
	sfReplyTo
	sfSubject
	sfDate
	sfMessageID
)

// summaryField classifies a field name, case-insensitively.
func summaryField(name string) int {
	switch len(name) {
	case 2:
		if strings.EqualFold(name, "To") {
			return sfTo
		}
		if strings.EqualFold(name, "Cc") {
			return sfCc
		}
	case 3:
		if strings.EqualFold(name, "Bcc") {
			return sfBcc
		}
	case 4:
		if strings.EqualFold(name, "From") {
			return sfFrom
		}
		if strings.EqualFold(name, "Date") {
			return sfDate
		}
	case 7:
		if strings.EqualFold(name, "Subject") {
			return sfSubject
		}
	case 8:
		if strings.EqualFold(name, "Reply-To") {
			return sfReplyTo
		}
	case 10:
		if strings.EqualFold(name, "Message-ID") {
			return sfMessageID
		}
	}
	return sfNone
}

// messageID returns the msg-id without comments, whitespace and brackets.
func messageID(v string) string {
	if lt := strings.IndexByte(v, '<'); lt >= 0 {
		v = v[lt+1:]
		if gt := strings.IndexByte(v, '>'); gt >= 0 {
			v = v[:gt]
		}
	}
	return trimWSP(v)
}

// snippet decodes a growing prefix of q's body until it yields SnippetLen
// runes of collapsed text or the body is exhausted.
func snippet(q *Part, raw []byte, isHTML bool) string {
	body, err := q.body(raw)
	if err != nil {
		return ""
	}
	n := 4 * SnippetLen // bytes: enough for SnippetLen runes of most text
	if isHTML {
		n = 32 << 10
	}
	for {
		whole := n >= len(body)
		chunk := body[:min(n, len(body))]
		text := snippetText(q.Charset, decodeTransfer(q.Encoding, chunk))
		if isHTML {
			text = htmlText(text, SnippetLen*4)
		}
		if !whole {
			text = strings.TrimRight(text, "\uFFFD")
		}
		s, full := collapse(text, SnippetLen)
		if full || whole {
			return s
		}
		n *= 4
	}
}

// snippetText converts b from charset cs to UTF-8 for snippet. Text that
// is already valid UTF-8 in a charset that needs no conversion (the common
// case) is not copied: the string is a view of b, which snippet only reads
// (htmlText and collapse build new strings).
func snippetText(cs string, b []byte) string {
	if kind, _ := lookupCharset(cs); (kind == csUTF8 || kind == csASCII) && utf8.Valid(b) {
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	text, _ := convertCharset(cs, b)
	return text
}

// collapse replaces each run of whitespace in s with one space, trims the
// ends, drops control and invisible formatting characters, and cuts the
// result to max runes. full reports that max was reached.
func collapse(s string, max int) (out string, full bool) {
	var b strings.Builder
	b.Grow(min(len(s), max*2))
	runes, space := 0, false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		switch {
		case r == ' ' || r == '\t' || r == '\r' || r == '\n' || (r >= utf8.RuneSelf && unicode.IsSpace(r)):
			space = runes > 0
			continue
		case r < ' ' || r == 0x7f || r >= utf8.RuneSelf && (unicode.IsControl(r) || r == '\u200b' || r == '\u200c' || r == '\u00ad' || r == '\ufeff'):
			continue
		}
		if runes == max {
			return b.String(), true
		}
		if space {
			if runes+1 == max {
				return b.String(), true
			}
			b.WriteByte(' ')
			runes++
			space = false
		}
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(r)
		}
		runes++
	}
	return b.String(), runes >= max
}

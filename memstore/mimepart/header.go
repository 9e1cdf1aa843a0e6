package mimepart

import (
	"bytes"
	"mime"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Header is a part's header fields in the order they appear. A nil Header
// is an empty header.
type Header []Field

// Field is one header field. Name keeps the case used in the message. Raw is
// the value with folding removed (RFC 5322 2.2.3) and surrounding whitespace
// trimmed, otherwise untouched; Value is Raw with RFC 2047 encoded words
// decoded, converted to valid UTF-8 (8-bit bytes that are not UTF-8 are read
// as windows-1252).
type Field struct {
	Name, Value string
	Raw         string
}

// Get returns the decoded value of the first field called name (compared
// case-insensitively), or "" if there is none.
func (h Header) Get(name string) string {
	for i := range h {
		if strings.EqualFold(h[i].Name, name) {
			return h[i].Value
		}
	}
	return ""
}

// GetRaw returns the undecoded (but unfolded) value of the first field
// called name, or "" if there is none. IMAP ENVELOPE wants these.
func (h Header) GetRaw(name string) string {
	for i := range h {
		if strings.EqualFold(h[i].Name, name) {
			return h[i].Raw
		}
	}
	return ""
}

// Values returns the decoded values of every field called name, in order.
func (h Header) Values(name string) []string {
	var vs []string
	for i := range h {
		if strings.EqualFold(h[i].Name, name) {
			vs = append(vs, h[i].Value)
		}
	}
	return vs
}

// fieldSpan locates one header field in the raw message: the name is
// raw[name0:name1] and the still-folded value raw[val0:val1].
type fieldSpan struct{ name0, name1, val0, val1 int }

// scanHeader scans the header starting at raw[start:end]. The header ends
// after the first empty line, before the first line that is neither a field,
// a continuation nor (first line only) an mbox "From " line, or at end. It
// appends the spans of well-formed fields (at most MaxHeaderFields) and
// returns them with the offset just past the header, which is where the
// body starts. Lines whose field name is invalid are skipped along with their
// continuations.
func scanHeader(raw []byte, start, end int, spans []fieldSpan) ([]fieldSpan, int) {
	pos, cur, kept := start, -1, 0
	for pos < end {
		lineEnd, next := end, end
		if nl := bytes.IndexByte(raw[pos:end], '\n'); nl >= 0 {
			lineEnd, next = pos+nl, pos+nl+1
		}
		ce := lineEnd
		if ce > pos && raw[ce-1] == '\r' {
			ce--
		}
		line := raw[pos:ce]
		switch {
		case len(line) == 0:
			return spans, next
		case line[0] == ' ' || line[0] == '\t':
			if cur >= 0 {
				spans[cur].val1 = ce
			}
		default:
			colon := bytes.IndexByte(line, ':')
			if colon < 0 {
				if pos == start && bytes.HasPrefix(line, []byte("From ")) {
					break // mbox separator line: not a field, not the body
				}
				return spans, pos
			}
			cur = -1
			n := colon
			for n > 0 && (line[n-1] == ' ' || line[n-1] == '\t') {
				n--
			}
			if validFieldName(line[:n]) && kept < MaxHeaderFields {
				spans = append(spans, fieldSpan{pos, pos + n, pos + colon + 1, ce})
				cur = len(spans) - 1
				kept++
			}
		}
		pos = next
	}
	return spans, end
}

// validFieldName reports whether b is an RFC 5322 field name: printable
// US-ASCII except colon.
func validFieldName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// unfold removes the line breaks of a folded value and trims surrounding
// whitespace. It allocates only when the value was folded.
func unfold(v string) string {
	nl := strings.IndexByte(v, '\n')
	if nl < 0 {
		return trimWSP(v)
	}
	var b strings.Builder
	b.Grow(len(v))
	for nl >= 0 {
		line := v[:nl]
		if strings.HasSuffix(line, "\r") {
			line = line[:len(line)-1]
		}
		b.WriteString(line)
		v = v[nl+1:]
		nl = strings.IndexByte(v, '\n')
	}
	b.WriteString(v)
	return trimWSP(b.String())
}

// trimWSP trims spaces, tabs and line breaks from both ends of s.
func trimWSP(s string) string {
	i, j := 0, len(s)
	for i < j && isWSP(s[i]) {
		i++
	}
	for j > i && isWSP(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// decodeHeader decodes RFC 2047 encoded words in an unfolded value and makes
// the result valid UTF-8. It returns v itself, without allocating, when there
// is nothing to decode.
func decodeHeader(v string) string {
	if strings.Contains(v, "=?") {
		d := mime.WordDecoder{CharsetReader: charsetReader}
		if s, err := d.DecodeHeader(v); err == nil {
			v = s
		}
	}
	return toValidUTF8(v)
}

// toValidUTF8 returns s if it is valid UTF-8 and otherwise reads it as
// windows-1252, the usual charset of undeclared 8-bit header bytes.
func toValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return decodeSingleByte([]byte(s), &windows1252)
}

// buildHeader turns spans found in raw into a Header. All Names and unfolded
// Raws are substrings of one copy of raw[start:end].
//
// With summary set the header serves ParseSummary alone: its strings point
// into raw rather than into a copy, and only the fields a Summary or the
// MIME structure reads get their Raw (and Subject its Value); the others,
// such as long folded Received and DKIM-Signature fields, keep only their
// name.
func buildHeader(raw []byte, start, end int, spans []fieldSpan, summary bool) Header {
	if len(spans) == 0 {
		return nil
	}
	var block string
	if summary {
		block = unsafe.String(&raw[start], end-start)
	} else {
		block = string(raw[start:end])
	}
	h := make(Header, len(spans))
	for i, sp := range spans {
		name := block[sp.name0-start : sp.name1-start]
		h[i].Name = name
		k := sfNone
		if summary {
			if k = summaryField(name); k == sfNone && contentField(name) == cfNone {
				continue
			}
		}
		h[i].Raw = unfold(block[sp.val0-start : sp.val1-start])
		if !summary || k == sfSubject {
			h[i].Value = decodeHeader(h[i].Raw)
		}
	}
	return h
}

package imapmsg

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"intray/memstore/mimepart"
)

// ErrSection is wrapped by the errors of ParseSection and ParsePartial; the
// server answers them with BAD.
var ErrSection = errors.New("imapmsg: invalid section")

// Section specifiers (RFC 3501 6.4.5), upper-cased.
const (
	SpecHeader          = "HEADER"
	SpecHeaderFields    = "HEADER.FIELDS"
	SpecHeaderFieldsNot = "HEADER.FIELDS.NOT"
	SpecText            = "TEXT"
	SpecMIME            = "MIME"
)

// Section is a parsed BODY[section]<partial> (RFC 3501 6.4.5).
type Section struct {
	// Part is the part path, 1-based; empty for the whole message.
	Part []int
	// Specifier is "", SpecHeader, SpecHeaderFields, SpecHeaderFieldsNot,
	// SpecText or SpecMIME.
	Specifier string
	// Fields are the field names of HEADER.FIELDS(.NOT), as the client
	// sent them.
	Fields []string
	// Partial is set for a <offset.count> suffix; Offset and Count are its
	// numbers (Count is 0 when only an origin is known).
	Partial       bool
	Offset, Count uint32
}

// ParseSection parses the text between "[" and "]" of a BODY[section]
// fetch attribute, e.g. "1.2.HEADER.FIELDS (From To)". Keywords are
// case-insensitive; header field names are astrings (atoms, quoted strings
// or literals). Errors wrap ErrSection.
func ParseSection(spec string) (Section, error) {
	var s Section
	rest := spec
	for rest != "" && isDigit(rest[0]) {
		n, r, ok := parseNumber(rest)
		if !ok || n == 0 {
			return Section{}, sectionErr("bad part number", spec)
		}
		s.Part = append(s.Part, int(n))
		rest = r
		if rest == "" {
			return s, nil
		}
		if rest[0] != '.' {
			return Section{}, sectionErr("expected '.'", spec)
		}
		rest = rest[1:]
		if rest == "" {
			return Section{}, sectionErr("missing specifier", spec)
		}
	}
	if rest == "" {
		return s, nil
	}
	kw := rest
	if i := strings.IndexByte(rest, ' '); i >= 0 {
		kw, rest = rest[:i], rest[i:]
	} else {
		rest = ""
	}
	switch kw = strings.ToUpper(kw); kw {
	case SpecHeader, SpecText:
	case SpecMIME:
		if len(s.Part) == 0 {
			return Section{}, sectionErr("MIME needs a part number", spec)
		}
	case SpecHeaderFields, SpecHeaderFieldsNot:
		fields, err := parseHeaderList(rest)
		if err != nil {
			return Section{}, sectionErr(err.Error(), spec)
		}
		s.Specifier, s.Fields = kw, fields
		return s, nil
	default:
		return Section{}, sectionErr("unknown specifier", spec)
	}
	if rest != "" {
		return Section{}, sectionErr("trailing text", spec)
	}
	s.Specifier = kw
	return s, nil
}

func sectionErr(why, spec string) error {
	return errors.Join(ErrSection, errors.New(why+" in "+strconv.Quote(spec)))
}

// parseHeaderList parses ` (name name ...)`, the rest of a HEADER.FIELDS
// section.
func parseHeaderList(s string) ([]string, error) {
	if !strings.HasPrefix(s, " (") || !strings.HasSuffix(s, ")") {
		return nil, errors.New("expected header list")
	}
	s = s[2 : len(s)-1]
	var fields []string
	for {
		var name string
		var ok bool
		name, s, ok = parseAstring(s)
		if !ok || name == "" {
			return nil, errors.New("bad header field name")
		}
		fields = append(fields, name)
		if s == "" {
			return fields, nil
		}
		if s[0] != ' ' {
			return nil, errors.New("expected space")
		}
		s = s[1:]
	}
}

// parseAstring parses an astring at the start of s: an atom, a quoted
// string or a literal "{n}\r\n..." (also "{n+}", RFC 7888).
func parseAstring(s string) (val, rest string, ok bool) {
	switch {
	case s == "":
		return "", s, false
	case s[0] == '"':
		var b []byte
		for i := 1; i < len(s); i++ {
			switch c := s[i]; c {
			case '"':
				return string(b), s[i+1:], true
			case '\\':
				i++
				if i == len(s) || (s[i] != '"' && s[i] != '\\') {
					return "", s, false
				}
				b = append(b, s[i])
			case '\r', '\n', 0:
				return "", s, false
			default:
				b = append(b, c)
			}
		}
		return "", s, false
	case s[0] == '{':
		end := strings.Index(s, "}\r\n")
		if end < 0 {
			return "", s, false
		}
		n, r, ok := parseNumber(strings.TrimSuffix(s[1:end], "+"))
		if !ok || r != "" || uint64(n) > uint64(len(s)-end-3) {
			return "", s, false
		}
		start := end + 3
		return s[start : start+int(n)], s[start+int(n):], true
	}
	i := 0
	for i < len(s) && isAstringChar(s[i]) {
		i++
	}
	return s[:i], s[i:], i > 0
}

// ParsePartial parses the partial suffix of a BODY[section] fetch
// attribute, "<offset.count>" (RFC 3501 9: count is a nz-number). Errors
// wrap ErrSection.
func ParsePartial(s string) (offset, count uint32, err error) {
	if len(s) < 2 || s[0] != '<' || s[len(s)-1] != '>' {
		return 0, 0, sectionErr("bad partial", s)
	}
	o, rest, ok := parseNumber(s[1 : len(s)-1])
	if !ok || len(rest) < 2 || rest[0] != '.' {
		return 0, 0, sectionErr("bad partial", s)
	}
	c, rest, ok := parseNumber(rest[1:])
	if !ok || rest != "" || c == 0 {
		return 0, 0, sectionErr("bad partial", s)
	}
	return o, c, nil
}

// parseNumber parses an RFC 3501 number (at most 2^32-1, no sign) at the
// start of s. A leading zero is only allowed for 0 itself.
func parseNumber(s string) (uint32, string, bool) {
	i := 0
	var n uint64
	for i < len(s) && isDigit(s[i]) {
		n = n*10 + uint64(s[i]-'0')
		if n > 1<<32-1 {
			return 0, s, false
		}
		i++
	}
	if i == 0 || (i > 1 && s[0] == '0') {
		return 0, s, false
	}
	return uint32(n), s[i:], true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// AppendName appends the name under which a FETCH response returns the
// section: "BODY[" section "]" with header field names upper-cased, and
// "<origin>" for a partial fetch (RFC 3501 7.4.2).
func (s Section) AppendName(dst []byte) []byte {
	dst = append(dst, "BODY["...)
	for i, n := range s.Part {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = strconv.AppendInt(dst, int64(n), 10)
	}
	if s.Specifier != "" {
		if len(s.Part) > 0 {
			dst = append(dst, '.')
		}
		dst = append(dst, s.Specifier...)
	}
	if s.Specifier == SpecHeaderFields || s.Specifier == SpecHeaderFieldsNot {
		dst = append(dst, " ("...)
		for i, f := range s.Fields {
			if i > 0 {
				dst = append(dst, ' ')
			}
			if isAstring(f) {
				for j := 0; j < len(f); j++ {
					dst = append(dst, upper(f[j]))
				}
			} else {
				dst = appendStr(dst, f, true)
			}
		}
		dst = append(dst, ')')
	}
	dst = append(dst, ']')
	if s.Partial {
		dst = append(dst, '<')
		dst = strconv.AppendUint(dst, uint64(s.Offset), 10)
		dst = append(dst, '>')
	}
	return dst
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// Extract returns the octets of the section of the message raw whose MIME
// tree is root (from mimepart.Parse(raw)), per RFC 3501 6.4.5, after the
// partial range when Partial is set. A part that does not exist, or a
// HEADER/TEXT specifier on a part that is not message/rfc822, gives an
// empty result. HEADER.FIELDS(.NOT) returns a new slice: the matching
// fields in their original order and folding, then a blank line. Every
// other result aliases raw and must not be modified.
func (s Section) Extract(raw []byte, root *mimepart.Part) []byte {
	b := s.whole(raw, root)
	if !s.Partial {
		return b
	}
	off := uint64(s.Offset)
	if off >= uint64(len(b)) {
		return nil
	}
	end := min(off+uint64(s.Count), uint64(len(b)))
	return b[off:end]
}

// whole returns the section before the partial range is applied.
func (s Section) whole(raw []byte, root *mimepart.Part) []byte {
	p := root
	if len(s.Part) > 0 {
		var buf [32]byte
		id := buf[:0]
		for i, n := range s.Part {
			if i > 0 {
				id = append(id, '.')
			}
			id = strconv.AppendInt(id, int64(n), 10)
		}
		p = root.Find(string(id))
		if p == nil {
			return nil
		}
		switch s.Specifier {
		case "":
			return span(raw, p.BodyStart, p.BodyEnd)
		case SpecMIME:
			return span(raw, p.HeaderStart, p.HeaderEnd)
		}
		// HEADER and TEXT address the message a message/rfc822 part holds.
		if p = p.Embedded; p == nil {
			return nil
		}
	}
	if p == nil {
		return nil
	}
	switch s.Specifier {
	case "":
		return span(raw, p.HeaderStart, p.BodyEnd)
	case SpecHeader:
		return span(raw, p.HeaderStart, p.HeaderEnd)
	case SpecText:
		return span(raw, p.BodyStart, p.BodyEnd)
	case SpecHeaderFields, SpecHeaderFieldsNot:
		dst := make([]byte, 0, max(p.HeaderEnd-p.HeaderStart, 0)+2)
		return AppendHeaderFields(dst, raw, p, s.Fields, s.Specifier == SpecHeaderFieldsNot)
	}
	return nil
}

// span returns raw[i:j], or nil when the offsets do not fit raw.
func span(raw []byte, i, j int) []byte {
	if i < 0 || i > j || j > len(raw) {
		return nil
	}
	return raw[i:j]
}

// AppendHeaderFields appends the header fields of part (a message root or
// a body part) whose names are in names (not: whose names are not),
// compared case-insensitively, with their original bytes and folding and
// in their original order, followed by the blank line that ends a header
// (RFC 3501 6.4.5 HEADER.FIELDS). Every line ends in CRLF. The server's
// SEARCH HEADER can use it with a single name.
func AppendHeaderFields(dst []byte, raw []byte, part *mimepart.Part, names []string, not bool) []byte {
	if part == nil {
		return append(dst, "\r\n"...)
	}
	h := span(raw, part.HeaderStart, part.HeaderEnd)
	keep := false
	for len(h) > 0 {
		line := h
		if nl := bytes.IndexByte(h, '\n'); nl >= 0 {
			line, h = h[:nl+1], h[nl+1:]
		} else {
			h = nil
		}
		content := bytes.TrimRight(line, "\r\n")
		switch {
		case len(content) == 0:
			h = nil // the blank line ending the header
			continue
		case content[0] == ' ' || content[0] == '\t':
			// a continuation keeps the decision of its field
		default:
			colon := bytes.IndexByte(content, ':')
			name := bytes.TrimRight(content[:max(colon, 0)], " \t")
			if colon < 0 || !validFieldName(name) {
				keep = false // not a field, e.g. an mbox "From " line
				continue
			}
			keep = nameIn(name, names) != not
		}
		if keep {
			dst = append(dst, content...)
			dst = append(dst, "\r\n"...)
		}
	}
	return append(dst, "\r\n"...)
}

// validFieldName reports whether b is an RFC 5322 field name: printable
// US-ASCII except colon.
func validFieldName(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return len(b) > 0
}

// nameIn reports whether name is one of names, case-insensitively.
func nameIn(name []byte, names []string) bool {
	for _, n := range names {
		if len(n) == len(name) && equalFoldASCII(n, name) {
			return true
		}
	}
	return false
}

// equalFoldASCII reports whether s and b are equal under ASCII case
// folding; field names are ASCII (RFC 5322 2.2).
func equalFoldASCII(s string, b []byte) bool {
	if len(s) != len(b) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if upper(s[i]) != upper(b[i]) {
			return false
		}
	}
	return true
}

package mimepart

import (
	"sort"
	"strconv"
	"strings"
)

// maxParams bounds the parameters read from one field; the lookups below
// are linear, so an unbounded count would be quadratic. Real fields carry a
// handful, RFC 2231 continuations of a long filename a few dozen.
const maxParams = 256

// param is one MIME parameter after RFC 2231 reassembly; key is lowercase.
type param struct{ key, val string }

// section is one RFC 2231 continuation section, before reassembly.
type section struct {
	key      string // base name, lowercase
	idx      int    // -1 for an unnumbered extended value ("name*")
	extended bool   // percent-encoded, the first section may carry charset'lang'
	val      string
}

// parseParams parses a structured header value such as a Content-Type or a
// Content-Disposition: "value; key=val; key*0*=...". It returns the leading
// value lowercased and trimmed and the parameters with lowercase keys, RFC
// 2231 continuations reassembled and decoded; pieces beyond maxParams are
// ignored. It is lenient: unquoted values
// may hold spaces, unterminated quotes run to the end, a trailing comment is
// dropped, pieces without "=" are ignored, and the first occurrence of a
// plain key wins while an RFC 2231 form overrides a plain one.
func parseParams(v string, out []param) (string, []param) {
	semi := strings.IndexByte(v, ';')
	if semi < 0 {
		return strings.ToLower(trimWSP(v)), out
	}
	value := strings.ToLower(trimWSP(v[:semi]))
	var secs []section
	rest := v[semi+1:]
	for n := 0; len(rest) > 0 && n < maxParams; n++ {
		var key, val string
		var quoted bool
		key, val, quoted, rest = nextParam(rest)
		if key == "" {
			continue
		}
		key = strings.ToLower(key)
		if star := strings.IndexByte(key, '*'); star >= 0 {
			if s, ok := parseSection(key, star, val, quoted); ok {
				secs = append(secs, s)
				continue
			}
		}
		if !hasParam(out, key) {
			out = append(out, param{key, val})
		}
	}
	if len(secs) > 0 {
		out = joinSections(secs, out)
	}
	return value, out
}

// nextParam reads one "key=value" from s (which starts after a ';') and
// returns the rest after the next ';'. key is "" for an empty or keyless
// piece.
func nextParam(s string) (key, val string, quoted bool, rest string) {
	eq := -1
	for i := 0; i < len(s); i++ {
		if s[i] == ';' {
			return "", "", false, s[i+1:]
		}
		if s[i] == '=' {
			eq = i
			break
		}
	}
	if eq < 0 {
		return "", "", false, ""
	}
	key = trimWSP(s[:eq])
	s = s[eq+1:]
	i := 0
	for i < len(s) && isWSP(s[i]) {
		i++
	}
	s = s[i:]
	if len(s) > 0 && s[0] == '"' {
		val, s = readQuoted(s)
		if semi := strings.IndexByte(s, ';'); semi >= 0 {
			return key, val, true, s[semi+1:]
		}
		return key, val, true, ""
	}
	end := strings.IndexByte(s, ';')
	if end < 0 {
		end = len(s)
		rest = ""
	} else {
		rest = s[end+1:]
	}
	val = s[:end]
	if c := strings.Index(val, "("); c > 0 && isWSP(val[c-1]) {
		val = val[:c] // trailing RFC 822 comment: "us-ascii (Plain text)"
	}
	return key, trimWSP(val), false, rest
}

// readQuoted reads a quoted-string at the start of s and returns its
// unescaped content and what follows the closing quote.
func readQuoted(s string) (string, string) {
	var b *strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '"':
			if b == nil {
				return s[1:i], s[i+1:]
			}
			return b.String(), s[i+1:]
		case '\\':
			if b == nil {
				b = &strings.Builder{}
				b.WriteString(s[1:i])
			}
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		default:
			if b != nil {
				b.WriteByte(s[i])
			}
		}
	}
	if b == nil {
		return s[1:], ""
	}
	return b.String(), ""
}

// parseSection interprets key (which has a '*' at index star) as an RFC 2231
// extended or continued parameter name.
func parseSection(key string, star int, val string, quoted bool) (section, bool) {
	s := section{key: key[:star], idx: -1, val: val}
	if s.key == "" {
		return s, false
	}
	tail := key[star+1:]
	if tail == "" {
		s.extended = !quoted || strings.Count(val, "'") >= 2
		return s, true
	}
	if strings.HasSuffix(tail, "*") {
		s.extended = true
		tail = tail[:len(tail)-1]
	}
	n, err := strconv.Atoi(tail)
	if err != nil || n < 0 || n > 999 {
		return s, false
	}
	s.idx = n
	return s, true
}

// joinSections reassembles RFC 2231 sections per key, ordered by number,
// decodes percent-escapes and the charset of the first section, and sets
// the results in out, overriding plain parameters of the same name.
func joinSections(secs []section, out []param) []param {
	sort.SliceStable(secs, func(i, j int) bool {
		if secs[i].key != secs[j].key {
			return secs[i].key < secs[j].key
		}
		return secs[i].idx < secs[j].idx
	})
	for i := 0; i < len(secs); {
		j := i
		for j < len(secs) && secs[j].key == secs[i].key {
			j++
		}
		key := secs[i].key
		var buf []byte
		cs := ""
		prev := -2
		for k, s := range secs[i:j] {
			if s.idx == prev {
				continue // duplicate section number: first wins
			}
			prev = s.idx
			v := s.val
			if s.extended {
				if k == 0 {
					if a := strings.IndexByte(v, '\''); a >= 0 {
						if b := strings.IndexByte(v[a+1:], '\''); b >= 0 {
							cs, v = v[:a], v[a+1+b+1:]
						}
					}
				}
				buf = appendPercentDecoded(buf, v)
			} else {
				buf = append(buf, v...)
			}
		}
		val, _ := convertCharset(cs, buf)
		out = setParam(out, key, val)
		i = j
	}
	return out
}

// appendPercentDecoded appends s to dst with %XX escapes decoded; a '%'
// not followed by two hex digits is kept literally.
func appendPercentDecoded(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if h, ok := unhex(s[i+1]); ok {
				if l, ok := unhex(s[i+2]); ok {
					dst = append(dst, h<<4|l)
					i += 2
					continue
				}
			}
		}
		dst = append(dst, s[i])
	}
	return dst
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func hasParam(ps []param, key string) bool {
	for _, p := range ps {
		if p.key == key {
			return true
		}
	}
	return false
}

func getParam(ps []param, key string) string {
	for _, p := range ps {
		if p.key == key {
			return p.val
		}
	}
	return ""
}

func setParam(ps []param, key, val string) []param {
	for i := range ps {
		if ps[i].key == key {
			ps[i].val = val
			return ps
		}
	}
	return append(ps, param{key, val})
}

// paramMap converts ps to the map form Part exposes; nil when empty.
func paramMap(ps []param) map[string]string {
	if len(ps) == 0 {
		return nil
	}
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		m[p.key] = p.val
	}
	return m
}

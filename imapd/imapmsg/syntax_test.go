package imapmsg

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds an independent reader of the RFC 3501 formal syntax used
// by the tests: it parses rendered values into a tree and checks ENVELOPE
// and BODYSTRUCTURE against the grammar of RFC 3501 9.

// node is a parsed IMAP value.
type node struct {
	kind byte // 'n' NIL, '#' number, 's' string (quoted or literal), '(' list
	str  string
	list []node
}

func (n node) String() string {
	switch n.kind {
	case 'n':
		return "NIL"
	case '#':
		return n.str
	case 's':
		return strconv.Quote(n.str)
	}
	var parts []string
	for _, c := range n.list {
		parts = append(parts, c.String())
	}
	return "(" + strings.Join(parts, " ") + ")"
}

type reader struct {
	b []byte
	i int
}

// parseValue parses exactly one value that spans all of b.
func parseValue(b []byte) (node, error) {
	r := reader{b: b}
	n, err := r.value()
	if err == nil && r.i != len(b) {
		err = fmt.Errorf("trailing data at %d: %q", r.i, b[r.i:])
	}
	return n, err
}

func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("at %d: %s", r.i, fmt.Sprintf(format, args...))
}

func (r *reader) value() (node, error) {
	if r.i >= len(r.b) {
		return node{}, r.errorf("unexpected end")
	}
	switch c := r.b[r.i]; {
	case c == '(':
		r.i++
		var n node
		n.kind = '('
		if r.i < len(r.b) && r.b[r.i] == ')' {
			r.i++
			return n, nil
		}
		for {
			v, err := r.value()
			if err != nil {
				return node{}, err
			}
			n.list = append(n.list, v)
			if r.i >= len(r.b) {
				return node{}, r.errorf("unterminated list")
			}
			switch r.b[r.i] {
			case ')':
				r.i++
				return n, nil
			case ' ':
				r.i++
				// body-type-mpart has no space between its bodies
			case '(':
			default:
				return node{}, r.errorf("unexpected %q in list", r.b[r.i])
			}
		}
	case c == '"':
		var sb strings.Builder
		for r.i++; r.i < len(r.b); r.i++ {
			switch c := r.b[r.i]; {
			case c == '"':
				r.i++
				return node{kind: 's', str: sb.String()}, nil
			case c == '\\':
				r.i++
				if r.i >= len(r.b) || (r.b[r.i] != '"' && r.b[r.i] != '\\') {
					return node{}, r.errorf("bad escape")
				}
				sb.WriteByte(r.b[r.i])
			case c == 0 || c == '\r' || c == '\n' || c >= 0x80:
				return node{}, r.errorf("invalid quoted char %#x", c)
			default:
				sb.WriteByte(c)
			}
		}
		return node{}, r.errorf("unterminated quoted string")
	case c == '{':
		end := strings.Index(string(r.b[r.i:]), "}\r\n")
		if end < 0 {
			return node{}, r.errorf("bad literal")
		}
		n, err := strconv.Atoi(string(r.b[r.i+1 : r.i+end]))
		if err != nil || n < 0 {
			return node{}, r.errorf("bad literal length")
		}
		r.i += end + 3
		if r.i+n > len(r.b) {
			return node{}, r.errorf("literal runs past the end")
		}
		s := string(r.b[r.i : r.i+n])
		if strings.IndexByte(s, 0) >= 0 {
			return node{}, r.errorf("NUL in literal")
		}
		r.i += n
		return node{kind: 's', str: s}, nil
	case c >= '0' && c <= '9':
		j := r.i
		for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
			r.i++
		}
		return node{kind: '#', str: string(r.b[j:r.i])}, nil
	case strings.HasPrefix(string(r.b[r.i:]), "NIL"):
		r.i += 3
		return node{kind: 'n'}, nil
	}
	return node{}, r.errorf("unexpected %q", r.b[r.i])
}

func (n node) isNString() bool { return n.kind == 'n' || n.kind == 's' }

// checkEnvelope checks n against RFC 3501 "envelope".
func checkEnvelope(n node) error {
	if n.kind != '(' || len(n.list) != 10 {
		return fmt.Errorf("envelope: want a list of 10, got %v", n)
	}
	for _, i := range []int{0, 1, 8, 9} {
		if !n.list[i].isNString() {
			return fmt.Errorf("envelope field %d: want nstring, got %v", i, n.list[i])
		}
	}
	for i := 2; i < 8; i++ {
		if err := checkAddressList(n.list[i]); err != nil {
			return fmt.Errorf("envelope field %d: %v", i, err)
		}
	}
	return nil
}

func checkAddressList(n node) error {
	if n.kind == 'n' {
		return nil
	}
	if n.kind != '(' || len(n.list) == 0 {
		return fmt.Errorf("want NIL or a non-empty address list, got %v", n)
	}
	depth := 0
	for _, a := range n.list {
		if a.kind != '(' || len(a.list) != 4 {
			return fmt.Errorf("bad address %v", a)
		}
		for _, f := range a.list {
			if !f.isNString() {
				return fmt.Errorf("bad address field in %v", a)
			}
		}
		if a.list[3].kind == 'n' { // group syntax
			if a.list[2].kind == 'n' {
				depth--
			} else {
				depth++
			}
			if depth < 0 || depth > 1 {
				return fmt.Errorf("unbalanced group markers in %v", n)
			}
		}
	}
	if depth != 0 {
		return fmt.Errorf("unclosed group in %v", n)
	}
	return nil
}

// checkBody checks n against RFC 3501 "body"; ext says whether extension
// data must be present (BODYSTRUCTURE) or absent (BODY).
func checkBody(n node, ext bool) error {
	if n.kind != '(' || len(n.list) == 0 {
		return fmt.Errorf("body: want a list, got %v", n)
	}
	l := n.list
	if l[0].kind == '(' {
		i := 0
		for i < len(l) && l[i].kind == '(' {
			if err := checkBody(l[i], ext); err != nil {
				return err
			}
			i++
		}
		if i >= len(l) || l[i].kind != 's' {
			return fmt.Errorf("multipart: missing subtype in %v", n)
		}
		rest := l[i+1:]
		if !ext {
			if len(rest) != 0 {
				return fmt.Errorf("BODY with extension data: %v", n)
			}
			return nil
		}
		if len(rest) != 4 {
			return fmt.Errorf("multipart extension: want 4 fields, got %v", rest)
		}
		return checkExt(rest[0], rest[1:])
	}
	if len(l) < 7 {
		return fmt.Errorf("body-type-1part too short: %v", n)
	}
	if l[0].kind != 's' || l[1].kind != 's' || (l[2].kind != 'n' && l[2].kind != '(') ||
		!l[3].isNString() || !l[4].isNString() || l[5].kind != 's' || l[6].kind != '#' {
		return fmt.Errorf("bad body-fields in %v", n)
	}
	if err := checkParams(l[2]); err != nil {
		return err
	}
	rest := l[7:]
	typ, sub := strings.ToUpper(l[0].str), strings.ToUpper(l[1].str)
	switch {
	case typ == "MESSAGE" && (sub == "RFC822" || sub == "GLOBAL"):
		if len(rest) < 3 {
			return fmt.Errorf("message/rfc822 without envelope, body, lines: %v", n)
		}
		if err := checkEnvelope(rest[0]); err != nil {
			return err
		}
		if err := checkBody(rest[1], ext); err != nil {
			return err
		}
		if rest[2].kind != '#' {
			return fmt.Errorf("message/rfc822 lines: %v", rest[2])
		}
		rest = rest[3:]
	case typ == "TEXT":
		if len(rest) < 1 || rest[0].kind != '#' {
			return fmt.Errorf("text without lines: %v", n)
		}
		rest = rest[1:]
	}
	if !ext {
		if len(rest) != 0 {
			return fmt.Errorf("BODY with extension data: %v", n)
		}
		return nil
	}
	if len(rest) != 4 || !rest[0].isNString() {
		return fmt.Errorf("body-ext-1part: want md5 dsp lang loc, got %v", rest)
	}
	return checkExt(node{kind: 'n'}, rest[1:])
}

// checkParams checks body-fld-param.
func checkParams(p node) error {
	if p.kind == 'n' {
		return nil
	}
	if p.kind != '(' || len(p.list) == 0 || len(p.list)%2 != 0 {
		return fmt.Errorf("bad body-fld-param %v", p)
	}
	for _, s := range p.list {
		if s.kind != 's' {
			return fmt.Errorf("bad body-fld-param %v", p)
		}
	}
	return nil
}

// checkExt checks params, then body-fld-dsp, body-fld-lang, body-fld-loc.
func checkExt(params node, rest []node) error {
	if err := checkParams(params); err != nil {
		return err
	}
	dsp, lang, loc := rest[0], rest[1], rest[2]
	if dsp.kind != 'n' {
		if dsp.kind != '(' || len(dsp.list) != 2 || dsp.list[0].kind != 's' {
			return fmt.Errorf("bad body-fld-dsp %v", dsp)
		}
		if err := checkParams(dsp.list[1]); err != nil {
			return err
		}
	}
	if lang.kind == '(' {
		for _, s := range lang.list {
			if s.kind != 's' {
				return fmt.Errorf("bad body-fld-lang %v", lang)
			}
		}
		if len(lang.list) == 0 {
			return fmt.Errorf("empty body-fld-lang")
		}
	} else if !lang.isNString() {
		return fmt.Errorf("bad body-fld-lang %v", lang)
	}
	if !loc.isNString() {
		return fmt.Errorf("bad body-fld-loc %v", loc)
	}
	return nil
}

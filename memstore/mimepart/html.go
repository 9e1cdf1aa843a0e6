package mimepart

import (
	"html"
	"strings"
)

// htmlToken is one token of an HTML document as scanHTML sees it: a run of
// raw (still entity-encoded) text, or a start or end tag.
type htmlToken struct {
	text  string // raw text, when name is ""
	name  string // lowercase tag name
	end   bool   // an end tag
	attrs string // raw attribute text of a start tag
}

// rawTextElements are elements whose content is not text to show (or
// whose content the snippet skips): scanHTML drops everything up to their
// end tag.
var rawTextElements = map[string]bool{
	"script": true, "style": true, "head": true, "title": true,
	"template": true, "noscript": true, "xml": true,
}

// scanHTML tokenizes s, leniently and without building a tree, calling fn
// for each text run and tag until fn returns false. Comments, doctypes and
// processing instructions are dropped, as is the content of
// rawTextElements. A '<' that does not start a tag is text.
func scanHTML(s string, fn func(htmlToken) bool) {
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			fn(htmlToken{text: s})
			return
		}
		if lt > 0 && !fn(htmlToken{text: s[:lt]}) {
			return
		}
		s = s[lt:]
		if len(s) < 2 {
			fn(htmlToken{text: s})
			return
		}
		switch c := s[1]; {
		case strings.HasPrefix(s, "<!--"):
			s = skipPast(s[4:], "-->")
		case c == '!' || c == '?':
			s = skipPast(s[2:], ">")
		case c == '/' || isLetter(c):
			tok, rest := readTag(s)
			if !fn(tok) {
				return
			}
			s = rest
			if !tok.end && rawTextElements[tok.name] && !strings.HasSuffix(tok.attrs, "/") {
				s = skipEndTag(s, tok.name)
			}
		default:
			if !fn(htmlToken{text: "<"}) {
				return
			}
			s = s[1:]
		}
	}
}

// readTag reads the tag at the start of s ("<name ...>" or "</name>"),
// honouring quoted attribute values, and returns it with the rest of s.
func readTag(s string) (htmlToken, string) {
	var tok htmlToken
	i := 1
	if s[i] == '/' {
		tok.end = true
		i++
	}
	j := i
	for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '>' && s[j] != '/' {
		j++
	}
	tok.name = strings.ToLower(s[i:j])
	var quote byte
	for k := j; k < len(s); k++ {
		switch c := s[k]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			tok.attrs = s[j:k]
			return tok, s[k+1:]
		}
	}
	tok.attrs = s[j:]
	return tok, ""
}

// skipPast returns what follows the first sep in s, or "".
func skipPast(s, sep string) string {
	if i := strings.Index(s, sep); i >= 0 {
		return s[i+len(sep):]
	}
	return ""
}

// skipEndTag skips to just after "</name ...>" (case-insensitive), or to
// the end.
func skipEndTag(s, name string) string {
	for {
		i := strings.Index(s, "</")
		if i < 0 {
			return ""
		}
		s = s[i+2:]
		if len(s) >= len(name) && strings.EqualFold(s[:len(name)], name) {
			return skipPast(s, ">")
		}
	}
}

// attrs calls fn with each attribute name (lowercase) and its value
// (entity-decoded) in a start tag's raw attribute text.
func attrs(s string, fn func(name, val string)) {
	for len(s) > 0 {
		i := 0
		for i < len(s) && (isHTMLSpace(s[i]) || s[i] == '/') {
			i++
		}
		j := i
		for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '=' && s[j] != '/' {
			j++
		}
		name := strings.ToLower(s[i:j])
		for j < len(s) && isHTMLSpace(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != '=' {
			if name != "" {
				fn(name, "")
			}
			if j == i {
				j++
			}
			s = s[min(j, len(s)):]
			continue
		}
		j++
		for j < len(s) && isHTMLSpace(s[j]) {
			j++
		}
		var val string
		if j < len(s) && (s[j] == '"' || s[j] == '\'') {
			q := s[j]
			k := strings.IndexByte(s[j+1:], q)
			if k < 0 {
				val, s = s[j+1:], ""
			} else {
				val, s = s[j+1:j+1+k], s[j+1+k+1:]
			}
		} else {
			k := j
			for k < len(s) && !isHTMLSpace(s[k]) {
				k++
			}
			val, s = s[j:k], s[k:]
		}
		if name != "" {
			fn(name, html.UnescapeString(val))
		}
	}
}

// inlineElements do not separate words when converting HTML to text.
var inlineElements = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "big": true,
	"cite": true, "code": true, "em": true, "font": true, "i": true,
	"kbd": true, "mark": true, "q": true, "s": true, "small": true,
	"span": true, "strike": true, "strong": true, "sub": true, "sup": true,
	"u": true, "wbr": true,
}

// htmlText extracts the visible text of an HTML document with entities
// decoded. Block-level tags separate words; output stops once about limit
// bytes of non-whitespace text have been gathered (limit <= 0 means no limit).
func htmlText(s string, limit int) string {
	var b strings.Builder
	visible := 0
	scanHTML(s, func(t htmlToken) bool {
		switch {
		case t.name == "":
			txt := html.UnescapeString(t.text)
			b.WriteString(txt)
			visible += len(txt) - countSpace(txt)
		case !inlineElements[t.name]:
			b.WriteByte(' ')
		}
		return limit <= 0 || visible < limit
	})
	return b.String()
}

func isLetter(c byte) bool    { c |= 0x20; return 'a' <= c && c <= 'z' }
func isHTMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// countSpace counts ASCII whitespace bytes in s.
func countSpace(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isHTMLSpace(s[i]) {
			n++
		}
	}
	return n
}

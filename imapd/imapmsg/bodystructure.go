package imapmsg

import (
	"bytes"
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"intray/memstore/mimepart"
)

// maxDecodedDepth bounds how many encoded message/rfc822 parts inside each
// other AppendBodyStructure decodes and parses; deeper ones are rendered
// as empty messages.
const maxDecodedDepth = 4

// Lines returns the number of lines in b as IMAP body-fld-lines counts
// them: the number of LF octets, so a last line without a line ending is
// not counted (Dovecot does the same).
func Lines(b []byte) int { return bytes.Count(b, []byte{'\n'}) }

// partLines returns Lines of p's body from the count mimepart made, which
// also counts a last line without LF, without scanning the body again.
func partLines(raw []byte, p *mimepart.Part) int {
	n := p.Lines
	if p.BodyEnd > p.BodyStart && p.BodyEnd <= len(raw) && raw[p.BodyEnd-1] != '\n' && n > 0 {
		n--
	}
	return n
}

// AppendBodyStructure appends the BODY (extended false) or BODYSTRUCTURE
// (extended true) of the message whose MIME tree is root, as parsed from
// raw by mimepart.Parse (RFC 3501 7.4.2). root may also be the Embedded
// root of a message/rfc822 part. A nil root is rendered as an empty text
// part.
func AppendBodyStructure(dst []byte, raw []byte, root *mimepart.Part, extended bool) []byte {
	bw := bodyWriter{raw: raw, ext: extended}
	return bw.appendPart(dst, root)
}

// bodyWriter renders one body structure.
type bodyWriter struct {
	raw     []byte
	ext     bool
	decoded int // encoded message/rfc822 bodies decoded so far on the path
}

// appendPart appends the body structure of p.
func (bw *bodyWriter) appendPart(dst []byte, p *mimepart.Part) []byte {
	if p == nil {
		return append(dst, `("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0)`...)
	}
	if p.IsMultipart() && len(p.Parts) > 0 {
		return bw.appendMultipart(dst, p)
	}
	typ, sub := splitType(p.MediaType)
	f := partFields(p.Header)
	dst = append(dst, '(')
	dst = appendStr(dst, typ, true)
	dst = append(dst, ' ')
	dst = appendStr(dst, sub, true)
	dst = append(dst, ' ')
	dst = appendParams(dst, f.contentType, p.Params, typ == "text" && p.Params["charset"] == "")
	dst = append(dst, ' ')
	dst = appendNStr(dst, f.id)
	dst = append(dst, ' ')
	dst = appendNStr(dst, f.description)
	dst = append(dst, ' ')
	dst = appendStr(dst, p.Encoding, true)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(p.Size()), 10)
	switch {
	case typ == "message" && (sub == "rfc822" || sub == "global"):
		dst = append(dst, ' ')
		dst = bw.appendMessage(dst, p)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(partLines(bw.raw, p)), 10)
	case typ == "text":
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(partLines(bw.raw, p)), 10)
	}
	if bw.ext {
		dst = append(dst, ' ')
		dst = appendNStr(dst, p.MD5)
		dst = append(dst, ' ')
		dst = appendDisposition(dst, f.disposition, p)
		dst = append(dst, ' ')
		dst = appendLanguage(dst, p.Language)
		dst = append(dst, ' ')
		dst = appendNStr(dst, p.Location)
	}
	return append(dst, ')')
}

// appendMultipart appends the body structure of a multipart p.
func (bw *bodyWriter) appendMultipart(dst []byte, p *mimepart.Part) []byte {
	dst = append(dst, '(')
	for _, c := range p.Parts {
		dst = bw.appendPart(dst, c)
	}
	_, sub := splitType(p.MediaType)
	dst = append(dst, ' ')
	dst = appendStr(dst, sub, true)
	if bw.ext {
		f := partFields(p.Header)
		dst = append(dst, ' ')
		dst = appendParams(dst, f.contentType, p.Params, false)
		dst = append(dst, ' ')
		dst = appendDisposition(dst, f.disposition, p)
		dst = append(dst, ' ')
		dst = appendLanguage(dst, p.Language)
		dst = append(dst, ' ')
		dst = appendNStr(dst, p.Location)
	}
	return append(dst, ')')
}

// appendMessage appends the envelope and body structure of the message
// encapsulated by the message/rfc822 part p. When mimepart did not parse
// it in place (an encoded body), the decoded body is parsed here.
func (bw *bodyWriter) appendMessage(dst []byte, p *mimepart.Part) []byte {
	if p.Embedded != nil {
		dst = AppendEnvelope(dst, bw.raw, p.Embedded)
		dst = append(dst, ' ')
		return bw.appendPart(dst, p.Embedded)
	}
	var inner []byte
	if bw.decoded < maxDecodedDepth {
		inner, _ = p.Decoded(bw.raw)
	}
	root := mimepart.Parse(inner)
	sub := bodyWriter{raw: inner, ext: bw.ext, decoded: bw.decoded + 1}
	dst = AppendEnvelope(dst, inner, root)
	dst = append(dst, ' ')
	return sub.appendPart(dst, root)
}

// splitType splits a lowercase "type/subtype".
func splitType(mt string) (typ, sub string) {
	typ, sub, _ = strings.Cut(mt, "/")
	if typ == "" {
		typ = "application"
	}
	if sub == "" {
		sub = "octet-stream"
	}
	return typ, sub
}

// mimeFields holds the raw values of the MIME header fields that
// mimepart.Part does not keep in their raw form.
type mimeFields struct {
	contentType, disposition, id, description string
}

// partFields collects mimeFields from h in one pass; the first occurrence
// of a field wins, as in mimepart.
func partFields(h mimepart.Header) mimeFields {
	var f mimeFields
	for i := range h {
		n := h[i].Name
		if len(n) < 10 || !strings.EqualFold(n[:8], "content-") {
			continue
		}
		var slot *string
		switch rest := n[8:]; {
		case strings.EqualFold(rest, "type"):
			slot = &f.contentType
		case strings.EqualFold(rest, "disposition"):
			slot = &f.disposition
		case strings.EqualFold(rest, "id"):
			slot = &f.id
		case strings.EqualFold(rest, "description"):
			slot = &f.description
		}
		if slot != nil && *slot == "" {
			*slot = h[i].Raw
		}
	}
	return f
}

// appendDisposition appends body-fld-dsp: NIL or ("TYPE" (params)).
func appendDisposition(dst []byte, raw string, p *mimepart.Part) []byte {
	if p.Disposition == "" {
		return append(dst, "NIL"...)
	}
	dst = append(dst, '(')
	dst = appendStr(dst, p.Disposition, true)
	dst = append(dst, ' ')
	dst = appendParams(dst, raw, p.DispositionParams, false)
	return append(dst, ')')
}

// appendLanguage appends body-fld-lang from a Content-Language value: NIL,
// one string, or a list of the comma-separated tags.
func appendLanguage(dst []byte, v string) []byte {
	n := 0
	for tag := range strings.SplitSeq(v, ",") {
		if trimSpace(tag) != "" {
			n++
		}
	}
	switch n {
	case 0:
		return append(dst, "NIL"...)
	case 1:
		return appendStr(dst, trimSpace(strings.Trim(v, ", \t")), false)
	}
	dst = append(dst, '(')
	first := true
	for tag := range strings.SplitSeq(v, ",") {
		if tag = trimSpace(tag); tag != "" {
			if !first {
				dst = append(dst, ' ')
			}
			first = false
			dst = appendStr(dst, tag, false)
		}
	}
	return append(dst, ')')
}

// maxOrdered bounds the parameter names remembered to send parameters in
// header order; a header with more falls back to sorted order for the
// rest.
const maxOrdered = 16

// appendParams appends body-fld-param: NIL or ("NAME" "value" ...), the
// names upper-cased, in the order they appear in the raw header value.
// With addCharset, a leading ("CHARSET" "US-ASCII") is added.
func appendParams(dst []byte, raw string, params map[string]string, addCharset bool) []byte {
	if len(params) == 0 && !addCharset {
		return append(dst, "NIL"...)
	}
	dst = append(dst, '(')
	if addCharset {
		dst = append(dst, `"CHARSET" "US-ASCII"`...)
	}
	var seen [maxOrdered]string
	nseen := 0
	sep := addCharset
	forEachParamName(raw, func(name string) {
		if nseen == len(seen) {
			return
		}
		for _, s := range seen[:nseen] {
			if strings.EqualFold(s, name) {
				return
			}
		}
		var lower [64]byte
		key := lowerInto(lower[:0], name)
		v, ok := params[string(key)]
		if !ok {
			return
		}
		seen[nseen] = name
		nseen++
		if sep {
			dst = append(dst, ' ')
		}
		sep = true
		dst = appendParam(dst, name, v)
	})
	if nseen < len(params) {
		dst = appendRemainingParams(dst, params, seen[:nseen], sep)
	}
	return append(dst, ')')
}

// appendRemainingParams appends, sorted by name, the parameters whose
// names are not in seen.
func appendRemainingParams(dst []byte, params map[string]string, seen []string, sep bool) []byte {
	keys := make([]string, 0, len(params))
outer:
	for k := range params {
		for _, s := range seen {
			if strings.EqualFold(s, k) {
				continue outer
			}
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if sep {
			dst = append(dst, ' ')
		}
		sep = true
		dst = appendParam(dst, k, params[k])
	}
	return dst
}

// appendParam appends one name/value pair. A value with 8-bit characters
// is sent as one RFC 2047 "B" encoded word of its UTF-8 form.
func appendParam(dst []byte, name, v string) []byte {
	dst = appendStr(dst, name, true)
	dst = append(dst, ' ')
	if !has8bit(v) {
		return appendStr(dst, v, false)
	}
	v = strings.ToValidUTF8(v, "\uFFFD")
	dst = append(dst, `"=?UTF-8?B?`...)
	dst = base64.StdEncoding.AppendEncode(dst, []byte(v))
	return append(dst, `?="`...)
}

func has8bit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// forEachParamName calls fn with the name of each parameter of a
// structured header value ("type/sub; a=1; b*0*=..."), in order, without
// RFC 2231 section suffixes. Quoted values may contain ';'.
func forEachParamName(v string, fn func(string)) {
	i := strings.IndexByte(v, ';')
	for i >= 0 && i < len(v) {
		i++ // past ';'
		eq := strings.IndexAny(v[i:], "=;")
		if eq < 0 {
			return
		}
		if v[i+eq] == ';' {
			i += eq
			continue
		}
		name := trimSpace(v[i : i+eq])
		if star := strings.IndexByte(name, '*'); star >= 0 {
			name = name[:star]
		}
		if name != "" {
			fn(name)
		}
		i = skipParamValue(v, i+eq+1)
	}
}

// skipParamValue returns the index of the ';' that ends the value starting
// at i, or len(v).
func skipParamValue(v string, i int) int {
	for i < len(v) && isSpace(v[i]) {
		i++
	}
	if i < len(v) && v[i] == '"' {
		for i++; i < len(v) && v[i] != '"'; i++ {
			if v[i] == '\\' {
				i++
			}
		}
	}
	if semi := strings.IndexByte(v[min(i, len(v)):], ';'); semi >= 0 {
		return i + semi
	}
	return len(v)
}

// lowerInto appends s lower-cased (ASCII) to dst.
func lowerInto(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

package imapmsg

import "strconv"

// maxQuoted is the longest string sent as a quoted string; longer ones
// become literals so that no response line grows without bound (RFC 3501
// leaves the choice to the sender; Dovecot switches at a similar size).
const maxQuoted = 1024

// text is what the string writers accept.
type text interface{ ~string | ~[]byte }

// AppendString appends s as an IMAP string (RFC 3501 9): a quoted string
// with '"' and '\' escaped when s is at most maxQuoted bytes of 7-bit text
// without CR, LF or NUL, otherwise a literal "{n}\r\n" followed by s with
// any NUL octets removed.
func AppendString(dst []byte, s string) []byte { return appendStr(dst, s, false) }

// AppendAstring appends s as an IMAP astring: an atom when s is a
// non-empty run of ASTRING-CHARs other than "NIL" (which a reader of an
// nstring would take for NIL), otherwise as AppendString does.
func AppendAstring(dst []byte, s string) []byte {
	if isAstring(s) {
		return append(dst, s...)
	}
	return appendStr(dst, s, false)
}

// AppendNString appends NIL when isNil is true and otherwise s as
// AppendString does.
func AppendNString(dst []byte, s string, isNil bool) []byte {
	if isNil {
		return append(dst, "NIL"...)
	}
	return appendStr(dst, s, false)
}

// AppendLiteral appends b as a literal, "{n}\r\n" followed by b exactly as
// given. It is meant for message data (BODY[...], RFC822), whose octets
// must match the sizes reported elsewhere, so nothing is filtered.
func AppendLiteral(dst []byte, b []byte) []byte {
	dst = append(dst, '{')
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, "}\r\n"...)
	return append(dst, b...)
}

// appendNStr appends NIL for an empty s and s as a string otherwise.
func appendNStr[T text](dst []byte, s T) []byte {
	if len(s) == 0 {
		return append(dst, "NIL"...)
	}
	return appendStr(dst, s, false)
}

// appendStr appends s as a quoted string or a literal, upper-casing ASCII
// letters when upper is set.
func appendStr[T text](dst []byte, s T, upper bool) []byte {
	quotable, plain, nuls := len(s) <= maxQuoted, !upper, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0:
			nuls++
			quotable = false
		case c == '\r' || c == '\n' || c >= 0x80:
			quotable = false
		case c == '"' || c == '\\':
			plain = false
		}
	}
	if quotable && plain {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	if quotable {
		dst = append(dst, '"')
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case upper && 'a' <= c && c <= 'z':
				dst = append(dst, c-'a'+'A')
			default:
				dst = append(dst, c)
			}
		}
		return append(dst, '"')
	}
	dst = append(dst, '{')
	dst = strconv.AppendInt(dst, int64(len(s)-nuls), 10)
	dst = append(dst, "}\r\n"...)
	if !upper && nuls == 0 {
		return append(dst, s...)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0:
		case upper && 'a' <= c && c <= 'z':
			dst = append(dst, c-'a'+'A')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// isAstring reports whether s can be sent as an atom in an astring.
func isAstring(s string) bool {
	if len(s) == 0 || (len(s) == 3 && (s[0]|0x20) == 'n' && (s[1]|0x20) == 'i' && (s[2]|0x20) == 'l') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAstringChar(s[i]) {
			return false
		}
	}
	return true
}

// isAstringChar reports whether c is an ASTRING-CHAR: a CHAR that is not
// a CTL, SP or one of the atom-specials except ']' (RFC 3501 9).
func isAstringChar(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '(', ')', '{', '%', '*', '"', '\\':
		return false
	}
	return true
}

package mimepart

import (
	"errors"
	"fmt"
)

// ErrOffsets is returned when a Part's offsets do not fit the raw message
// passed to one of its methods, which means it was parsed from another one.
var ErrOffsets = errors.New("mimepart: part offsets outside the message")

// body returns p's raw body bytes, or ErrOffsets.
func (p *Part) body(raw []byte) ([]byte, error) {
	if p == nil || p.BodyStart < 0 || p.BodyStart > p.BodyEnd || p.BodyEnd > len(raw) {
		return nil, ErrOffsets
	}
	return raw[p.BodyStart:p.BodyEnd], nil
}

// Decoded returns p's body with its Content-Transfer-Encoding undone:
// base64 leniently (characters outside the alphabet are skipped, missing
// padding is tolerated), quoted-printable per RFC 2045 6.7 with lenient
// handling of bad escapes, and 7bit, 8bit, binary or unknown encodings as
// they are. For those the result aliases raw and must not be modified. The
// only error is ErrOffsets.
func (p *Part) Decoded(raw []byte) ([]byte, error) {
	b, err := p.body(raw)
	if err != nil {
		return nil, err
	}
	return decodeTransfer(p.Encoding, b), nil
}

// Text returns p's body decoded (see Decoded) and converted from its
// charset to UTF-8. For an unknown charset it returns the text with invalid
// UTF-8 replaced and an error wrapping ErrUnknownCharset.
func (p *Part) Text(raw []byte) (string, error) {
	b, err := p.Decoded(raw)
	if err != nil {
		return "", err
	}
	s, err := convertCharset(p.Charset, b)
	if err != nil {
		return s, fmt.Errorf("part %q: %w", p.ID, err)
	}
	return s, nil
}

// decodeTransfer undoes the transfer encoding enc on b.
func decodeTransfer(enc string, b []byte) []byte {
	switch enc {
	case "base64":
		return decodeBase64(b)
	case "quoted-printable":
		return decodeQP(b)
	}
	return b
}

// decodeBase64 decodes base64 leniently: bytes outside the alphabet
// (whitespace, line breaks, junk) are skipped, the URL-safe alphabet is
// accepted, padding ends a quantum wherever it appears (so concatenated
// encodings decode), and a trailing partial quantum is decoded as far as it
// goes.
func decodeBase64(b []byte) []byte {
	out := make([]byte, 0, len(b)*3/4+3)
	var acc uint32
	n := 0
	flush := func() {
		switch n {
		case 2:
			out = append(out, byte(acc>>4))
		case 3:
			out = append(out, byte(acc>>10), byte(acc>>2))
		}
		acc, n = 0, 0
	}
	for _, c := range b {
		v := b64Value(c)
		if v < 0 {
			if c == '=' {
				flush()
			}
			continue
		}
		acc = acc<<6 | uint32(v)
		n++
		if n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	flush()
	return out
}

// b64Value returns the value of a base64 digit, or -1.
func b64Value(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '+' || c == '-':
		return 62
	case c == '/' || c == '_':
		return 63
	}
	return -1
}

// decodeQP decodes quoted-printable (RFC 2045 6.7): "=XX" is a byte
// (lowercase hex accepted), "=" before a line break is a soft line break,
// whitespace before a line break is dropped (rule 3), and any other "=" is
// kept as is. Line breaks are kept as they are in the input.
func decodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '=':
			if i+2 < len(b) {
				if h, ok := unhex(b[i+1]); ok {
					if l, ok := unhex(b[i+2]); ok {
						out = append(out, h<<4|l)
						i += 2
						continue
					}
				}
			}
			// soft line break: "=" then optional whitespace then (CR)LF or the end
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			switch {
			case j == len(b):
				i = j - 1
				continue
			case b[j] == '\n':
				i = j
				continue
			case b[j] == '\r' && j+1 < len(b) && b[j+1] == '\n':
				i = j + 1
				continue
			}
			out = append(out, '=')
		case ' ', '\t':
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j == len(b) || b[j] == '\n' || (b[j] == '\r' && j+1 < len(b) && b[j+1] == '\n') {
				i = j - 1 // trailing whitespace: transport padding
				continue
			}
			out = append(out, b[i:j]...)
			i = j - 1
		default:
			out = append(out, c)
		}
	}
	return out
}

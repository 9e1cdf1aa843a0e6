package mimepart

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	// Registers every charset golang.org/x/text knows (ISO-2022-JP,
	// Shift_JIS, GB18030, Big5, EUC-KR, ...) as message.CharsetReader.
	_ "github.com/emersion/go-message/charset"
)

// ErrUnknownCharset is returned (wrapped, with the charset's name) by Text
// and friends when a part's charset is neither built in nor known to
// go-message's message.CharsetReader. The text is then returned as is, with
// invalid UTF-8 replaced by U+FFFD.
var ErrUnknownCharset = errors.New("mimepart: unknown charset")

// charsetKind classifies a charset label.
type charsetKind int

const (
	csUnknown charsetKind = iota
	csUTF8                // declared UTF-8: invalid bytes become U+FFFD
	csASCII               // US-ASCII or undeclared: 8-bit bytes are UTF-8 if valid, else windows-1252
	csTable               // a single-byte table
)

// lookupCharset maps a charset label to how it is decoded.
func lookupCharset(name string) (charsetKind, *[128]uint16) {
	name = strings.ToLower(strings.Trim(trimWSP(name), `"'`))
	name = strings.ReplaceAll(name, "_", "-")
	switch name {
	case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8":
		return csUTF8, nil
	case "", "us-ascii", "ascii", "ansi-x3.4-1968", "iso646-us", "us", "default", "unknown-8bit", "x-unknown":
		return csASCII, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819", "iso-ir-100",
		"windows-1252", "cp1252", "x-cp1252", "ansi-x3.110-1983":
		return csTable, &windows1252
	case "iso-8859-15", "iso8859-15", "latin9", "latin-9", "l9":
		return csTable, &iso885915
	case "iso-8859-2", "iso8859-2", "latin2", "latin-2", "l2":
		return csTable, &iso88592
	case "windows-1250", "cp1250", "x-cp1250":
		return csTable, &windows1250
	case "windows-1251", "cp1251", "x-cp1251":
		return csTable, &windows1251
	case "iso-8859-5", "iso8859-5", "cyrillic":
		return csTable, &iso88595
	case "koi8-r", "koi8", "cskoi8r":
		return csTable, &koi8r
	case "koi8-u":
		return csTable, &koi8u
	case "iso-8859-7", "iso8859-7", "greek":
		return csTable, &iso88597
	case "windows-1253", "cp1253":
		return csTable, &windows1253
	case "iso-8859-9", "iso8859-9", "latin5", "l5":
		return csTable, &iso88599
	case "windows-1254", "cp1254":
		return csTable, &windows1254
	}
	return csUnknown, nil
}

// convertCharset converts b from charset cs to UTF-8. Unknown charsets go
// through message.CharsetReader when set; otherwise b is returned with
// invalid UTF-8 replaced and an error wrapping ErrUnknownCharset.
func convertCharset(cs string, b []byte) (string, error) {
	kind, table := lookupCharset(cs)
	switch kind {
	case csUTF8:
		return bytesToValidUTF8(b), nil
	case csASCII:
		if utf8.Valid(b) {
			return string(b), nil
		}
		return decodeSingleByte(b, &windows1252), nil
	case csTable:
		return decodeSingleByte(b, table), nil
	}
	if message.CharsetReader != nil {
		if r, err := message.CharsetReader(cs, bytes.NewReader(b)); err == nil {
			out, err := io.ReadAll(r)
			if err == nil {
				return bytesToValidUTF8(out), nil
			}
		}
	}
	return bytesToValidUTF8(b), fmt.Errorf("%w %q", ErrUnknownCharset, cs)
}

// charsetReader is the mime.WordDecoder hook for charsets other than
// UTF-8, US-ASCII and ISO-8859-1, which the standard library handles.
func charsetReader(cs string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	s, err := convertCharset(cs, b)
	if err != nil {
		return nil, err
	}
	return strings.NewReader(s), nil
}

// decodeSingleByte converts b through the upper-half table t.
func decodeSingleByte(b []byte, t *[128]uint16) string {
	n := 0
	for _, c := range b {
		if c < 0x80 {
			n++
		} else {
			n += 3
		}
	}
	out := make([]byte, 0, n)
	for _, c := range b {
		if c < 0x80 {
			out = append(out, c)
			continue
		}
		out = utf8.AppendRune(out, rune(t[c-0x80]))
	}
	return string(out)
}

// bytesToValidUTF8 returns b as a string with invalid sequences replaced
// by U+FFFD.
func bytesToValidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

package smtpd

import (
	"bytes"
	"unicode/utf8"
)

// maxPath caps a reverse- or forward-path (RFC 5321 4.5.3.1.3: 256 octets,
// leniently doubled).
const maxPath = 512

// splitPath splits the text after "FROM:" or "TO:" into the path inside the
// angle brackets and the parameters after it. Leniently, a space before the
// path and a path without brackets (up to the first space) are accepted.
// Inside brackets, '>' may appear in a quoted local part.
func splitPath(b []byte) (path, params []byte, ok bool) {
	b = trimSpace(b)
	if len(b) == 0 || b[0] != '<' {
		path, params, _ = bytes.Cut(b, []byte{' '})
		return path, params, len(path) > 0 && bytes.IndexByte(path, '<') < 0 && bytes.IndexByte(path, '>') < 0
	}
	quoted := false
	for i := 1; i < len(b); i++ {
		switch {
		case quoted && b[i] == '\\':
			i++ // quoted-pair
		case b[i] == '"':
			quoted = !quoted
		case !quoted && b[i] == '>':
			rest := b[i+1:]
			if len(rest) > 0 && rest[0] != ' ' {
				return nil, nil, false
			}
			return b[1:i], rest, true
		}
	}
	return nil, nil, false
}

// parseAddress validates a path's mailbox and returns it without its source
// route (RFC 5321 4.1.2 and appendix C). isMail allows the null path <>;
// RCPT allows a bare "postmaster". Non-ASCII (valid UTF-8) needs utf8,
// the transaction's SMTPUTF8 (RFC 6531 3.4). It fails with a replyError.
func parseAddress(path []byte, isMail, utf8ok bool) ([]byte, error) {
	bad := errBadRecipient
	if isMail {
		bad = errBadSender
	}
	if len(path) > maxPath {
		return nil, bad
	}
	if len(path) > 0 && path[0] == '@' { // source route: @one,@two:mailbox
		i := bytes.IndexByte(path, ':')
		if i < 0 {
			return nil, bad
		}
		path = path[i+1:]
	}
	if len(path) == 0 {
		if isMail {
			return path, nil
		}
		return nil, bad
	}
	if !isMail && equalFold(path, "POSTMASTER") {
		return path, nil
	}
	at, ascii, ok := scanMailbox(path)
	if !ok || at <= 0 || at == len(path)-1 || !validDomain(path[at+1:]) {
		return nil, bad
	}
	if !ascii {
		if !utf8.Valid(path) {
			return nil, bad
		}
		if !utf8ok {
			return nil, errNeedUTF8
		}
	}
	return path, nil
}

// scanMailbox checks the characters of local-part@domain and returns the
// index of the '@' that separates them (the last one outside quotes) and
// whether the mailbox is all ASCII.
func scanMailbox(b []byte) (at int, ascii, ok bool) {
	at, ascii = -1, true
	quoted := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < ' ' || c == 0x7f:
			return 0, false, false
		case c >= 0x80:
			ascii = false
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ' ' || c == '<' || c == '>' || c == ',' || c == ';':
			return 0, false, false
		case c == '@':
			at = i
		}
	}
	return at, ascii, !quoted
}

// validDomain accepts a domain name (letters, digits, hyphens, dots, and
// UTF-8 for internationalised names) or an address literal in brackets.
func validDomain(d []byte) bool {
	if d[0] == '[' {
		return len(d) > 2 && d[len(d)-1] == ']' && bytes.IndexByte(d[1:len(d)-1], ']') < 0
	}
	for _, c := range d {
		ok := c >= 0x80 || c == '-' || c == '.' || c == '_' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !ok {
			return false
		}
	}
	return d[0] != '.' && d[len(d)-1] != '-'
}

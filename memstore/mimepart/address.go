package mimepart

import (
	"mime"
	"net/mail"
	"strings"
)

// Address is one mailbox: a display name (decoded, may be empty) and an
// addr-spec (may be empty for an empty group such as
// "undisclosed-recipients:;", whose name is then the group's name).
type Address struct {
	Name, Address string
}

// ParseAddressList parses an RFC 5322 address list (From, To, Cc, ...), as
// an unfolded raw header value. It uses net/mail with this package's RFC
// 2047 decoder and, when that fails or finds nothing, falls back to a
// best-effort split on commas outside quotes, angle brackets and comments,
// so that empty groups, bare names, unbalanced quotes and 8-bit names still
// give something. It never panics; it returns nil for a blank value.
func ParseAddressList(s string) []Address {
	s = trimWSP(s)
	if s == "" {
		return nil
	}
	if list, ok := fastAddressList(s); ok {
		return list
	}
	p := mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charsetReader}}
	if list, err := p.ParseList(s); err == nil && len(list) > 0 {
		out := make([]Address, len(list))
		for i, a := range list {
			out[i] = fromMail(a)
		}
		return out
	}
	return fallbackAddresses(&p, s)
}

// fallbackAddresses splits s into items and parses each on its own.
func fallbackAddresses(p *mail.AddressParser, s string) []Address {
	var out []Address
	for _, item := range splitAddressList(s) {
		group, members, isGroup := cutGroup(item)
		if isGroup {
			if trimWSP(strings.Trim(members, "; \t")) == "" {
				if g := cleanName(group); g != "" {
					out = append(out, Address{Name: g})
				}
				continue
			}
			item = members
		}
		item = trimWSP(strings.TrimRight(trimWSP(item), ";"))
		if item == "" {
			continue
		}
		if a, err := p.Parse(item); err == nil {
			out = append(out, fromMail(a))
			continue
		}
		out = append(out, guessAddress(item))
	}
	return out
}

// splitAddressList splits s on commas (and on the ';' that ends a group)
// outside double quotes, angle brackets and parentheses. When quotes are
// unbalanced they are ignored.
func splitAddressList(s string) []string {
	var items []string
	useQuotes := strings.Count(s, `"`)%2 == 0
	inQuote, angle, paren, start := false, 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"' && useQuotes:
			inQuote = !inQuote
		case inQuote:
		case c == '<':
			angle++
		case c == '>' && angle > 0:
			angle--
		case c == '(':
			paren++
		case c == ')' && paren > 0:
			paren--
		case (c == ',' || c == ';') && angle == 0 && paren == 0:
			if c == ';' {
				items = append(items, s[start:i+1])
			} else {
				items = append(items, s[start:i])
			}
			start = i + 1
		}
	}
	if start < len(s) {
		items = append(items, s[start:])
	}
	return items
}

// cutGroup splits "name: members" when the colon comes before any quote,
// '<' or '@', which is where a group's display name ends.
func cutGroup(item string) (name, members string, ok bool) {
	for i := 0; i < len(item); i++ {
		switch item[i] {
		case ':':
			return item[:i], item[i+1:], true
		case '"', '<', '@':
			return "", "", false
		}
	}
	return "", "", false
}

// guessAddress makes the best of an item net/mail rejected.
func guessAddress(item string) Address {
	if lt := strings.IndexByte(item, '<'); lt >= 0 {
		addr := item[lt+1:]
		if gt := strings.IndexByte(addr, '>'); gt >= 0 {
			addr = addr[:gt]
		}
		return Address{Name: cleanName(item[:lt]), Address: toValidUTF8(trimWSP(addr))}
	}
	fields := strings.Fields(item)
	for i, f := range fields {
		if strings.Contains(f, "@") {
			rest := strings.Join(append(fields[:i:i], fields[i+1:]...), " ")
			return Address{Name: cleanName(rest), Address: toValidUTF8(strings.Trim(f, `"'()[],;`))}
		}
	}
	return Address{Name: cleanName(item)}
}

// cleanName trims whitespace, quotes and comment parentheses from a display
// name and decodes encoded words in it.
func cleanName(s string) string {
	s = strings.Trim(trimWSP(s), `"' ()`)
	s = strings.ReplaceAll(s, `\"`, `"`)
	return decodeHeader(trimWSP(s))
}

// fromMail converts a net/mail address. Encoded words inside a quoted
// display name are not decoded by net/mail (RFC 2047 5 forbids them there)
// but common mailers produce them, so they are decoded here.
func fromMail(a *mail.Address) Address {
	name := a.Name
	if strings.Contains(name, "=?") {
		name = decodeHeader(name)
	}
	return Address{Name: toValidUTF8(name), Address: toValidUTF8(a.Address)}
}

// fastAddressList parses the shapes most mail uses, "a@b.example" and
// "Display Name <a@b.example>" separated by commas, in ASCII without
// quotes, comments, groups or encoded words, with the result net/mail would
// give but without its allocations. It reports false for anything else.
func fastAddressList(s string) ([]Address, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80 || c < ' ' && c != '\t':
			return nil, false
		case c == '(' || c == ')' || c == ':' || c == ';' || c == '\\' || c == '[' || c == ']':
			return nil, false
		case c == '=' && i+1 < len(s) && s[i+1] == '?':
			return nil, false
		}
	}
	out := make([]Address, 0, strings.Count(s, ",")+1)
	for len(s) > 0 {
		item := s
		if i := indexUnquoted(s, ','); i >= 0 {
			item, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		item = trimWSP(item)
		var a Address
		if lt := strings.LastIndexByte(item, '<'); lt >= 0 {
			if !strings.HasSuffix(item, ">") {
				return nil, false
			}
			a.Name, a.Address = trimWSP(item[:lt]), item[lt+1:len(item)-1]
			if name, ok := simpleQuoted(a.Name); ok {
				a.Name = name
			} else if !simplePhrase(a.Name) {
				return nil, false
			}
		} else {
			a.Address = item
		}
		if !simpleAddrSpec(a.Address) {
			return nil, false
		}
		out = append(out, a)
	}
	return out, len(out) > 0
}

// indexUnquoted returns the index of the first c outside a quoted string,
// or -1 (also for an unterminated quote, which the slow path handles).
func indexUnquoted(s string, c byte) int {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case c:
			if !inQuote {
				return i
			}
		}
	}
	return -1
}

// simpleQuoted returns the content of a display name that is one quoted
// string without escapes ("Jane Doe"), as RFC 5322 3.2.4 reads it.
func simpleQuoted(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' || strings.IndexByte(s[1:len(s)-1], '"') >= 0 {
		return "", false
	}
	return trimWSP(s[1 : len(s)-1]), true
}

// simpleAddrSpec reports whether s is dot-atom "@" dot-atom (RFC 5322
// 3.4.1 without quoted local parts or domain literals).
func simpleAddrSpec(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && dotAtom(s[:at]) && dotAtom(s[at+1:])
}

// dotAtom reports whether s is atext runs separated by single dots.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && !isAtext(s[i]) {
			return false
		}
	}
	return true
}

// simplePhrase reports whether s is empty or atoms (dots allowed, as in
// obs-phrase) separated by single spaces, which net/mail returns as is.
func simplePhrase(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if i == 0 || s[i-1] == ' ' {
				return false
			}
			continue
		}
		if c != '.' && !isAtext(c) {
			return false
		}
	}
	return true
}

// isAtext reports whether c is RFC 5322 atext.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '/', '=', '?', '^', '_', '`', '{', '|', '}', '~':
		return true
	}
	return false
}

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
// outside double quotes, angle brackets and parentheses. An unbalanced
// quote runs to the end.
func splitAddressList(s string) []string {
	var items []string
	inQuote, angle, paren, start := false, 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
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

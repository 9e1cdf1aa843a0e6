package mimepart

import (
	"html"
	"regexp"
	"strings"
)

// bareURL matches an http(s) URL in running text; trimURL then removes
// trailing punctuation that belongs to the sentence.
var bareURL = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"'\x60{}|\\^]+`)

// Links returns every http and https URL in the plain text and in the HTML
// (href and src attribute values, entity-decoded, and bare URLs in the
// visible text), text first and then HTML in document order, without
// duplicates. It never fails; script and style content is ignored.
func Links(text, htmlBody string) []string {
	var out []string
	seen := make(map[string]bool)
	add := func(u string) {
		u = trimURL(u)
		if !isHTTPURL(u) || seen[u] {
			return
		}
		seen[u] = true
		out = append(out, u)
	}
	for _, u := range bareURL.FindAllString(text, -1) {
		add(u)
	}
	if htmlBody == "" {
		return out
	}
	scanHTML(htmlBody, func(t htmlToken) bool {
		if t.name == "" {
			for _, u := range bareURL.FindAllString(html.UnescapeString(t.text), -1) {
				add(u)
			}
			return true
		}
		if !t.end && t.attrs != "" {
			attrs(t.attrs, func(name, val string) {
				if name == "href" || name == "src" {
					add(trimWSP(val))
				}
			})
		}
		return true
	})
	return out
}

// isHTTPURL reports whether u starts with http:// or https:// (any case)
// and has something after it.
func isHTTPURL(u string) bool {
	l := len(u)
	switch {
	case l > 7 && strings.EqualFold(u[:7], "http://"):
		return true
	case l > 8 && strings.EqualFold(u[:8], "https://"):
		return true
	}
	return false
}

// trimURL removes trailing sentence punctuation and closing brackets that
// have no opening partner inside the URL.
func trimURL(u string) string {
	open := strings.Count(u, "(") - strings.Count(u, ")")
	square := strings.Count(u, "[") - strings.Count(u, "]")
	for len(u) > 0 {
		switch c := u[len(u)-1]; {
		case strings.IndexByte(".,;:!?'\"*", c) >= 0:
		case c == ')' && open < 0:
			open++
		case c == ']' && square < 0:
			square++
		default:
			return u
		}
		u = u[:len(u)-1]
	}
	return u
}

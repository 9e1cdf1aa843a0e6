package mimepart

import (
	"net/mail"
	"strings"
	"time"
)

// dateLayouts are tried, in order, on a Date value that net/mail rejects,
// after the weekday and comments are removed and "GMT+hhmm" is turned into
// "+hhmm". They cover what broken mailers and scripts commonly send.
var dateLayouts = [...]string{
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -07:00",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04",
	"2 Jan 06 15:04:05 -0700",
	"2 Jan 06 15:04:05 MST",
	"2 Jan 06 15:04:05",
	"2 January 2006 15:04:05 -0700",
	"2 January 2006 15:04:05 MST",
	"2-Jan-2006 15:04:05 -0700",
	"2 Jan 2006 3:04:05 PM -0700",
	"2 Jan 2006 3:04:05 PM MST",
	"Jan 2 2006 15:04:05 -0700",
	"Jan 2, 2006 15:04:05 -0700",
	"Jan 2 15:04:05 2006",
	"Jan 2 15:04:05 MST 2006",
	"Jan 2 15:04:05 -0700 2006",
	"January 2, 2006 15:04:05 -0700",
	time.RFC3339Nano,
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// parseDate parses an RFC 5322 date-time leniently; zero if it cannot.
// Values without a zone are taken as UTC.
func parseDate(s string) time.Time {
	s = trimWSP(s)
	if s == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t
	}
	c := cleanDate(s)
	if t, err := mail.ParseDate(c); err == nil {
		return t
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, c); err == nil {
			return t
		}
	}
	return time.Time{}
}

// cleanDate removes comments, a leading weekday and stray punctuation,
// collapses whitespace and rewrites "GMT+0100"/"UTC-05:00" as an offset.
func cleanDate(s string) string {
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0:
		case c == '\t' || c == '\r' || c == '\n':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	f := strings.Fields(b.String())
	if len(f) > 0 {
		w := strings.TrimRight(f[0], ",.")
		if len(w) >= 3 && isAlpha(w) && !isMonth(w) {
			f = f[1:]
		}
	}
	for i, w := range f {
		u := strings.ToUpper(w)
		for _, z := range [...]string{"GMT", "UTC", "UT"} {
			if len(u) > len(z) && strings.HasPrefix(u, z) && (u[len(z)] == '+' || u[len(z)] == '-') {
				w = strings.ReplaceAll(w[len(z):], ":", "")
				break
			}
		}
		f[i] = strings.TrimRight(w, ",")
	}
	return strings.Join(f, " ")
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isMonth(s string) bool {
	if len(s) < 3 {
		return false
	}
	m := strings.ToLower(s[:3])
	return strings.Contains("jan feb mar apr may jun jul aug sep oct nov dec", m)
}

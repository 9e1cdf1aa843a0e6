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
	if t, ok := fastDate(s); ok {
		return t
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

// fastDate parses the RFC 5322 3.3 form nearly every mailer sends,
// "[Mon, ]2 Jan 2006 15:04[:05] -0700 [(comment)]", without the
// allocations of trying layouts one by one. It reports false for anything
// else, which parseDate then hands to the general path.
func fastDate(s string) (time.Time, bool) {
	if i := strings.IndexByte(s, ','); i >= 0 {
		s = s[i+1:]
	}
	d := dateLexer{s: s}
	day, ok1 := d.num(1, 2)
	mon, ok2 := d.month()
	year, ok3 := d.num(4, 4)
	hour, ok4 := d.num(2, 2)
	colon1 := d.byte(':')
	min, ok5 := d.num(2, 2)
	sec, ok6 := 0, true
	if d.byte(':') {
		sec, ok6 = d.num(2, 2)
	}
	if !(ok1 && ok2 && ok3 && ok4 && colon1 && ok5 && ok6) || day > 31 || hour > 23 || min > 59 || sec > 60 {
		return time.Time{}, false
	}
	d.space()
	if d.i+5 > len(d.s) || (d.s[d.i] != '+' && d.s[d.i] != '-') {
		return time.Time{}, false
	}
	sign := d.s[d.i]
	d.i++
	z, ok7 := d.num(4, 4)
	zh, zm := z/100, z%100
	if !ok7 || zm > 59 {
		return time.Time{}, false
	}
	if rest := trimWSP(d.s[d.i:]); rest != "" && rest[0] != '(' {
		return time.Time{}, false
	}
	off := (zh*60 + zm) * 60
	if sign == '-' {
		off = -off
	}
	loc := time.UTC
	if off != 0 {
		loc = time.FixedZone("", off)
	}
	t := time.Date(year, time.Month(mon), day, hour, min, sec, 0, loc)
	if t.Day() != day {
		return time.Time{}, false // 31 Feb and friends
	}
	return t, true
}

// dateLexer reads the fields of a date-time left to right.
type dateLexer struct {
	s string
	i int
}

func (d *dateLexer) space() {
	for d.i < len(d.s) && (d.s[d.i] == ' ' || d.s[d.i] == '\t') {
		d.i++
	}
}

// num reads between lo and hi digits after optional spaces.
func (d *dateLexer) num(lo, hi int) (int, bool) {
	d.space()
	n, j := 0, d.i
	for j < len(d.s) && j-d.i < hi && '0' <= d.s[j] && d.s[j] <= '9' {
		n = n*10 + int(d.s[j]-'0')
		j++
	}
	ok := j-d.i >= lo && (j == len(d.s) || d.s[j] < '0' || d.s[j] > '9')
	d.i = j
	return n, ok
}

// byte consumes c if it comes next.
func (d *dateLexer) byte(c byte) bool {
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

// month reads a three-letter English month name, any case.
func (d *dateLexer) month() (int, bool) {
	d.space()
	if d.i+3 >= len(d.s) || d.s[d.i+3] != ' ' {
		return 0, false
	}
	m := d.s[d.i : d.i+3]
	d.i += 3
	for i, name := range [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"} {
		if strings.EqualFold(m, name) {
			return i + 1, true
		}
	}
	return 0, false
}

package webui

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseListParams(t *testing.T) {
	ts := "2026-01-02T03:04:05Z"
	for _, c := range []struct {
		query    string
		ok       bool
		filtered bool
		check    func(listParams) bool
	}{
		{"", true, false, func(p listParams) bool { return p.limit == defaultLimit && p.offset == 0 }},
		{"limit=0&offset=7", true, false, func(p listParams) bool { return p.limit == 0 && p.offset == 7 }},
		{"q=+hello+&to=&from=a", true, true, func(p listParams) bool { return p.filter.Query == "hello" && p.filter.From == "a" }},
		{"since=" + ts, true, true, func(p listParams) bool { return p.filter.Since.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) }},
		{"since=abc123", true, true, func(p listParams) bool { return p.filter.SinceID == "abc123" }},
		{"subject=x", true, true, nil},
		{"limit=1001", false, false, nil},
		{"limit=-1", false, false, nil},
		{"offset=x", false, false, nil},
		{"q=" + strings.Repeat("a", maxFilterLen+1), false, false, nil},
		{"since=" + strings.Repeat("a", maxFilterLen+1), false, false, nil},
	} {
		v, _ := url.ParseQuery(c.query)
		p, err := parseListParams(v)
		if (err == nil) != c.ok {
			t.Errorf("%q: err %v", c.query, err)
			continue
		}
		if c.ok && (p.filtered != c.filtered || (c.check != nil && !c.check(p))) {
			t.Errorf("%q: %+v", c.query, p)
		}
	}
}

func TestParseTimeout(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", defaultWaitTimeout, true},
		{"0", 0, true},
		{"2.5", 2500 * time.Millisecond, true},
		{"1m30s", 90 * time.Second, true},
		{"300s", 300 * time.Second, true},
		{"300.001", 0, false},
		{"5m1s", 0, false},
		{"-1", 0, false},
		{"1e400", 0, false},
		{"NaN", 0, false},
		{"soon", 0, false},
	} {
		got, err := parseTimeout(c.in, defaultWaitTimeout, maxWaitTimeout)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("parseTimeout(%q) = %v, %v", c.in, got, err)
		}
	}
}

// FuzzParseListParams checks that any query string parses without panic
// into bounded values.
func FuzzParseListParams(f *testing.F) {
	for _, s := range []string{"", "q=a+b&limit=3", "since=2026-01-02T03:04:05Z&offset=9", "timeout=1.5&count=2",
		"limit=99999999999999999999", "since=%ff%00", "q=-%22x%22+is:read"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if p, err := parseListParams(v); err == nil {
			if p.limit < 0 || p.limit > maxLimit || p.offset < 0 || len(p.filter.Query) > maxFilterLen {
				t.Fatalf("%q: out of bounds %+v", raw, p)
			}
		}
		if d, err := parseTimeout(v.Get("timeout"), defaultWaitTimeout, maxWaitTimeout); err == nil && (d < 0 || d > maxWaitTimeout) {
			t.Fatalf("%q: timeout %v", raw, d)
		}
	})
}

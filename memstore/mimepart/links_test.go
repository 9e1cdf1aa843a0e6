package mimepart

import (
	"reflect"
	"testing"
)

func TestLinks(t *testing.T) {
	tests := []struct {
		name, text, html string
		want             []string
	}{
		{"text", "See https://example.com/a. And (http://example.org/b) or https://ex.com/c?x=1&y=2, ok",
			"", []string{"https://example.com/a", "http://example.org/b", "https://ex.com/c?x=1&y=2"}},
		{"parens in URL", "wiki https://en.wikipedia.org/wiki/Go_(programming_language)!", "",
			[]string{"https://en.wikipedia.org/wiki/Go_(programming_language)"}},
		{"html attributes and text", "",
			`<a href="https://a.example/x?p=1&amp;q=2">go</a> visit https://b.example/ <img SRC='http://c.example/i.png'> <a href="mailto:x@y">m</a> <a href="/relative">r</a> <a href=javascript:alert(1)>j</a>`,
			[]string{"https://a.example/x?p=1&q=2", "https://b.example/", "http://c.example/i.png"}},
		{"dedupe across text and html", "https://a.example/", `<a href=" https://a.example/ ">https://a.example/</a><a href="HTTPS://B.example">b</a>`,
			[]string{"https://a.example/", "HTTPS://B.example"}},
		{"script ignored", "", `<script>var u = "https://evil.example/";</script><p>ok</p>`, nil},
		{"entities in text", "", `<p>https://x.example/?a=1&amp;b=2</p>`, []string{"https://x.example/?a=1&b=2"}},
		{"nothing", "no links here http:// https:", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Links(tt.text, tt.html); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Links = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLinksCorpus(t *testing.T) {
	raw := load(t, "alternative.eml")
	b := Parse(raw).Bodies(raw)
	want := []string{"https://track.example.com/p/1234", "https://track.example.com/p/1234?a=1&b=2", "https://img.example.com/pixel.gif"}
	if got := Links(b.Text, b.HTML); !reflect.DeepEqual(got, want) {
		t.Errorf("Links = %q, want %q", got, want)
	}
}

func TestTrimURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://a/b.":              "https://a/b",
		"https://a/(b)":             "https://a/(b)",
		"https://a/b)":              "https://a/b",
		"https://a/(b))).":          "https://a/(b)",
		"https://a/[x]]":            "https://a/[x]",
		"https://a/b?c=d!":          "https://a/b?c=d",
		"https://a/" + "))))))))))": "https://a/",
	} {
		if got := trimURL(in); got != want {
			t.Errorf("trimURL(%q) = %q, want %q", in, got, want)
		}
	}
}

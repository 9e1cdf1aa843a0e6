package mimepart

import (
	"strings"
	"testing"
)

func TestHTMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>Hello</p><p>World</p>", " Hello  World "},
		{"<b>bo</b>ld", "bold"},
		{"a &amp; b &lt;c&gt; &euro; &#8364; &nbsp;", "a & b <c> € € \u00a0"},
		{"<head><title>T</title></head><body>x</body>", "  x "},
		{"<SCRIPT type=x>if (a < b) {}</script>y", " y"},
		{"<style>p{}</STYLE >z", " z"},
		{"a<!-- <p>comment</p> -->b", "ab"},
		{"<!DOCTYPE html>a", "a"},
		{"1 < 2 and 3 > 2", "1 < 2 and 3 > 2"},
		{`<a title="x > y">link</a>`, "link"},
		{"<p unterminated", " "},
		{"<", "<"},
		{"<br/>x", " x"},
		{"<script/>after", " after"},
	}
	for _, tt := range tests {
		if got := htmlText(tt.in, 0); got != tt.want {
			t.Errorf("htmlText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := htmlText(strings.Repeat("<p>word</p>", 1000), 20); len(got) > 100 {
		t.Errorf("limit ignored: %d bytes", len(got))
	}
}

func TestAttrs(t *testing.T) {
	var got []string
	attrs(` HREF="a&amp;b" src='c' data-x=d checked x = "e" /`, func(n, v string) { got = append(got, n+"="+v) })
	want := "href=a&b src=c data-x=d checked= x=e"
	if strings.Join(got, " ") != want {
		t.Errorf("attrs = %q, want %q", got, want)
	}
}

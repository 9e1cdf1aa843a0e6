package imapmsg

import (
	"strings"
	"testing"
)

func TestAppendString(t *testing.T) {
	long := strings.Repeat("a", maxQuoted+1)
	tests := []struct{ in, str, astr string }{
		{"", `""`, `""`},
		{"abc", `"abc"`, "abc"},
		{"INBOX/Sent", `"INBOX/Sent"`, "INBOX/Sent"},
		{"a]b", `"a]b"`, "a]b"},
		{"nil", `"nil"`, `"nil"`},
		{"NILS", `"NILS"`, "NILS"},
		{"two words", `"two words"`, `"two words"`},
		{`q"b\s`, `"q\"b\\s"`, `"q\"b\\s"`},
		{"a{b", `"a{b"`, `"a{b"`},
		{"a%*", `"a%*"`, `"a%*"`},
		{"tab\there", "\"tab\there\"", "\"tab\there\""},
		{"line\r\nbreak", "{11}\r\nline\r\nbreak", "{11}\r\nline\r\nbreak"},
		{"caf\xc3\xa9", "{5}\r\ncaf\xc3\xa9", "{5}\r\ncaf\xc3\xa9"},
		{"nul\x00here", "{7}\r\nnulhere", "{7}\r\nnulhere"},
		{long, "{1025}\r\n" + long, long},
	}
	for _, tt := range tests {
		if got := string(AppendString(nil, tt.in)); got != tt.str {
			t.Errorf("AppendString(%q) = %q, want %q", tt.in, got, tt.str)
		}
		if got := string(AppendAstring(nil, tt.in)); got != tt.astr {
			t.Errorf("AppendAstring(%q) = %q, want %q", tt.in, got, tt.astr)
		}
	}
	if got := string(AppendNString([]byte("x "), "", true)); got != "x NIL" {
		t.Errorf("AppendNString nil = %q", got)
	}
	if got := string(AppendNString(nil, "", false)); got != `""` {
		t.Errorf("AppendNString empty = %q", got)
	}
	if got := string(AppendLiteral([]byte("* 1 FETCH (BODY[] "), []byte("a\x00\r\n"))); got != "* 1 FETCH (BODY[] {4}\r\na\x00\r\n" {
		t.Errorf("AppendLiteral = %q", got)
	}
	if got := string(appendStr(nil, "multi-part\xff", true)); got != "{11}\r\nMULTI-PART\xff" {
		t.Errorf("upper literal = %q", got)
	}
}

func TestLines(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{{"", 0}, {"a", 0}, {"a\r\n", 1}, {"a\r\nb", 1}, {"\r\n\r\n", 2}, {"a\nb\n", 2}} {
		if got := Lines([]byte(tt.in)); got != tt.want {
			t.Errorf("Lines(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

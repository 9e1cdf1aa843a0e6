package mimepart

import (
	"testing"
)

func TestScanHeader(t *testing.T) {
	tests := []struct {
		name, in string
		fields   []Field // Name and Raw only
		bodyAt   string  // what the body starts with
	}{
		{"simple", "A: 1\r\nB: 2\r\n\r\nbody", []Field{{Name: "A", Raw: "1"}, {Name: "B", Raw: "2"}}, "body"},
		{"folded", "Subject: a\r\n b\r\n\tc\r\n\r\nx", []Field{{Name: "Subject", Raw: "a b\tc"}}, "x"},
		{"space before colon", "Subject : hi\r\n\r\n", []Field{{Name: "Subject", Raw: "hi"}}, ""},
		{"empty value", "X-Empty:\r\nY:   \r\n\r\n", []Field{{Name: "X-Empty", Raw: ""}, {Name: "Y", Raw: ""}}, ""},
		{"bad name skipped with continuation", "Bad Name: x\r\n cont\r\nGood: y\r\n\r\n", []Field{{Name: "Good", Raw: "y"}}, ""},
		{"leading continuation skipped", " lost\r\nA: 1\r\n\r\n", []Field{{Name: "A", Raw: "1"}}, ""},
		{"no colon ends header", "A: 1\r\nbody line\r\n", []Field{{Name: "A", Raw: "1"}}, "body line\r\n"},
		{"mbox From line", "From someone Tue May 14 2024\r\nA: 1\r\n\r\nb", []Field{{Name: "A", Raw: "1"}}, "b"},
		{"LF only", "A: 1\nB: x\n y\n\nbody", []Field{{Name: "A", Raw: "1"}, {Name: "B", Raw: "x y"}}, "body"},
		{"no blank line at EOF", "A: 1\r\nB: 2", []Field{{Name: "A", Raw: "1"}, {Name: "B", Raw: "2"}}, ""},
		{"empty header", "\r\nbody", nil, "body"},
		{"empty input", "", nil, ""},
		{"colon in value", "Date: Tue, 14 May 2024 10:00:00 +0000\r\n\r\n", []Field{{Name: "Date", Raw: "Tue, 14 May 2024 10:00:00 +0000"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.in)
			spans, end := scanHeader(raw, 0, len(raw), nil)
			h := buildHeader(raw, 0, end, spans, false)
			// The summary form keeps every name, and Raw for the fields a
			// Summary or the MIME structure reads.
			hs := buildHeader(raw, 0, end, spans, true)
			for i := range hs {
				want := h[i]
				if summaryField(want.Name) == sfNone && contentField(want.Name) == cfNone {
					want.Raw = ""
				}
				if hs[i].Name != want.Name || hs[i].Raw != want.Raw {
					t.Errorf("summary field %d = %q: %q, want %q: %q", i, hs[i].Name, hs[i].Raw, want.Name, want.Raw)
				}
			}
			if len(h) != len(tt.fields) {
				t.Fatalf("got %d fields %q, want %d", len(h), h, len(tt.fields))
			}
			for i, f := range tt.fields {
				if h[i].Name != f.Name || h[i].Raw != f.Raw {
					t.Errorf("field %d = %q: %q, want %q: %q", i, h[i].Name, h[i].Raw, f.Name, f.Raw)
				}
			}
			if got := tt.in[end:]; got != tt.bodyAt {
				t.Errorf("body starts with %q, want %q", got, tt.bodyAt)
			}
		})
	}
}

func TestHeaderGet(t *testing.T) {
	h := Header{
		{Name: "Subject", Raw: "=?utf-8?q?caf=C3=A9?=", Value: "café"},
		{Name: "Received", Raw: "a", Value: "a"},
		{Name: "received", Raw: "b", Value: "b"},
	}
	if h.Get("SUBJECT") != "café" || h.GetRaw("subject") != "=?utf-8?q?caf=C3=A9?=" || h.Get("X") != "" || h.GetRaw("X") != "" {
		t.Errorf("Get/GetRaw wrong")
	}
	if v := h.Values("Received"); len(v) != 2 || v[0] != "a" || v[1] != "b" {
		t.Errorf("Values = %q", v)
	}
	var empty Header
	if empty.Get("a") != "" || empty.Values("a") != nil {
		t.Errorf("nil Header must be empty")
	}
}

func TestDecodeHeader(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"=?UTF-8?B?w6k=?=", "é"},
		{"=?utf-8?q?a_b?= =?utf-8?q?_c?=", "a b c"},                    // whitespace between words dropped
		{"=?UTF-8?B?4pyT?= and =?ISO-8859-1?Q?caf=E9?=", "✓ and café"}, // mixed charsets
		{"=?UTF-8?B?8J+Y?= =?UTF-8?B?gA==?=", "😀"},                     // a rune split across words
		{"=?windows-1252?Q?=93hi=94?=", "“hi”"},
		{"=?koi8-r?B?8NLJ18XU?=", "Привет"},
		{"=?iso-8859-2?Q?=B1?=", "ą"},
		{"=?x-unknown-charset?Q?abc?=", "=?x-unknown-charset?Q?abc?="},
		{"=?utf-8?X?bad?=", "=?utf-8?X?bad?="},
		{"caf\xe9", "café"}, // raw 8-bit latin-1
		{"déjà vu", "déjà vu"},
	}
	for _, tt := range tests {
		if got := decodeHeader(tt.in); got != tt.want {
			t.Errorf("decodeHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnfold(t *testing.T) {
	for in, want := range map[string]string{
		" a\r\n b ":   "a b",
		"a\n\tb":      "a\tb",
		"x":           "x",
		"  ":          "",
		"a\r\n\r\n b": "a b",
	} {
		if got := unfold(in); got != want {
			t.Errorf("unfold(%q) = %q, want %q", in, got, want)
		}
	}
}

package mimepart

import (
	"errors"
	"testing"

	"github.com/emersion/go-message"
)

func TestConvertCharset(t *testing.T) {
	tests := []struct {
		cs, in, want string
	}{
		{"utf-8", "café", "café"},
		{"UTF8", "bad\xffbyte", "bad\uFFFDbyte"},
		{"", "café", "café"},                     // undeclared but valid UTF-8
		{"us-ascii", "caf\xe9", "café"},          // undeclared 8-bit: windows-1252
		{"ISO-8859-1", "\x80 caf\xe9", "€ café"}, // WHATWG: latin-1 label is windows-1252
		{"iso_8859-15", "\xa4", "€"},
		{"\"windows-1251\"", "\xcf\xf0\xe8\xe2\xe5\xf2", "Привет"},
		{"koi8-u", "\xa4", "є"},
		{"iso-8859-2", "\xb1", "ą"},
		{"windows-1250", "\x9c", "ś"},
		{"iso-8859-5", "\xbf", "П"},
		{"iso-8859-7", "\xe1", "α"},
		{"windows-1253", "\xe1", "α"},
		{"latin5", "\xfd", "ı"},
		{"cp1254", "\xfe", "ş"},
	}
	for _, tt := range tests {
		got, err := convertCharset(tt.cs, []byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("convertCharset(%q, %q) = %q, %v; want %q", tt.cs, tt.in, got, err, tt.want)
		}
	}
}

func TestUnknownCharset(t *testing.T) {
	if message.CharsetReader != nil {
		t.Skip("go-message/charset is linked in")
	}
	got, err := convertCharset("x-martian", []byte("abc\xff"))
	if !errors.Is(err, ErrUnknownCharset) || got != "abc\uFFFD" {
		t.Errorf("got %q, %v", got, err)
	}
}

// TestISO2022JP checks both sides of the message.CharsetReader hook: with
// go-message/charset linked in the text is decoded, without it Text
// reports ErrUnknownCharset and Bodies still returns the undecoded text.
func TestISO2022JP(t *testing.T) {
	raw := load(t, "iso-2022-jp.eml")
	root := Parse(raw)
	got, err := root.Text(raw)
	body := root.Bodies(raw)
	if message.CharsetReader != nil {
		if err != nil || got != "こんにちは、世界。\r\n" || root.Header.Get("Subject") != "こんにちは" {
			t.Errorf("with CharsetReader: %q, %v, subject %q", got, err, root.Header.Get("Subject"))
		}
		return
	}
	if !errors.Is(err, ErrUnknownCharset) || body.Text != got || got == "" {
		t.Errorf("without CharsetReader: %q, %v; Bodies %q", got, err, body.Text)
	}
	if s := root.Header.Get("Subject"); s != root.Header.GetRaw("Subject") {
		t.Errorf("undecodable subject should stay raw, got %q", s)
	}
}

func TestTablesAreComplete(t *testing.T) {
	for name, tab := range map[string]*[128]uint16{"windows1252": &windows1252, "koi8r": &koi8r, "iso88592": &iso88592} {
		for i, r := range tab {
			if r == 0 {
				t.Errorf("%s[%#x] is zero", name, i+0x80)
			}
		}
	}
}

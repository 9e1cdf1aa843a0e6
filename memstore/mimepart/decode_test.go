package mimepart

import (
	"bytes"
	"encoding/base64"
	"errors"
	"mime/quotedprintable"
	"strings"
	"testing"
)

func TestDecodeBase64(t *testing.T) {
	tests := []struct{ in, want string }{
		{"aGVsbG8=", "hello"},
		{"aGVs\r\nbG8=\r\n", "hello"},
		{"aGVsbG8", "hello"},       // missing padding
		{"aGVsbA", "hell"},         // missing padding, 2 left over
		{"a G\tV*s!bG8=", "hello"}, // junk skipped
		{"aGk=aGk=", "hihi"},       // concatenated encodings
		{"_-8=", "\xff\xef"},       // URL-safe alphabet
		{"", ""},
		{"=", ""},
		{"a", ""},
	}
	for _, tt := range tests {
		if got := string(decodeBase64([]byte(tt.in))); got != tt.want {
			t.Errorf("decodeBase64(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Agrees with the standard library on well-formed input.
	data := bytes.Repeat([]byte("any\x00binary\xffdata"), 100)
	enc := base64.StdEncoding.EncodeToString(data)
	if got := decodeBase64([]byte(enc)); !bytes.Equal(got, data) {
		t.Errorf("round trip failed")
	}
}

func TestDecodeQP(t *testing.T) {
	tests := []struct{ in, want string }{
		{"caf=C3=A9", "café"},
		{"caf=c3=a9", "café"}, // lowercase hex
		{"soft=\r\nbreak", "softbreak"},
		{"soft=  \r\nbreak", "softbreak"}, // whitespace after =
		{"soft=\nbreak", "softbreak"},
		{"trailing   \r\nnext", "trailing\r\nnext"},
		{"a = b", "a = b"}, // bare =
		{"=ZZ", "=ZZ"},     // bad escape
		{"end=", "end"},    // soft break at the end
		{"x=4", "x=4"},     // truncated escape
		{"tab\there", "tab\there"},
		{"a  \t", "a"},
	}
	for _, tt := range tests {
		if got := string(decodeQP([]byte(tt.in))); got != tt.want {
			t.Errorf("decodeQP(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Agrees with the standard library's encoder.
	src := strings.Repeat("Grüße, naïve café — “quotes” = equals\r\n", 20)
	var buf bytes.Buffer
	w := quotedprintable.NewWriter(&buf)
	w.Write([]byte(src))
	w.Close()
	if got := string(decodeQP(buf.Bytes())); got != src {
		t.Errorf("round trip: %q", got)
	}
}

func TestDecodedAndText(t *testing.T) {
	tests := []struct{ file, id, want string }{
		{"iso-8859-1.eml", "1", "Schöne Grüße aus Köln, café und Brötchen.\r\n"},
		{"windows-1252.eml", "1", "“Quoted” – it’s €5…\r\n"},
		{"koi8-r.eml", "1", "Привет, мир!\r\n"},
		{"mixed-attachments.eml", "1", "Voici les documents demandés."},
		{"mixed-attachments.eml", "3", "Отчёт"},
		{"encoded-words.eml", "1", "Body with émojis 😀.\n"},
	}
	for _, tt := range tests {
		raw := load(t, tt.file)
		got, err := Parse(raw).Find(tt.id).Text(raw)
		if err != nil || got != tt.want {
			t.Errorf("%s %s: Text = %q, %v; want %q", tt.file, tt.id, got, err, tt.want)
		}
	}
	raw := load(t, "alternative.eml")
	p := Parse(raw).Find("1")
	if _, err := p.Decoded(raw[:10]); !errors.Is(err, ErrOffsets) {
		t.Errorf("Decoded on a shorter message: %v, want ErrOffsets", err)
	}
	var nilPart *Part
	if _, err := nilPart.Text(raw); !errors.Is(err, ErrOffsets) {
		t.Errorf("nil part: %v", err)
	}
	// Identity encodings alias raw.
	plain := load(t, "plain.eml")
	root := Parse(plain)
	b, _ := root.Decoded(plain)
	if &b[0] != &plain[root.BodyStart] {
		t.Errorf("8bit body was copied")
	}
}

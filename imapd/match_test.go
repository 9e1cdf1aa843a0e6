package imapd

import (
	"strings"
	"testing"

	"intray/memstore"
)

// TestMatchText: BODY and TEXT match decoded text, never MIME structure
// (boundaries, part headers) or non-text data such as base64 attachments.
func TestMatchText(t *testing.T) {
	store := memstore.New(memstore.Options{})
	add := func(raw string) *memstore.Message {
		m, err := store.Add(benchEnvelope, []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	nested := add(nestedMsg)
	simple := add(simpleMsg)
	b64 := add("Subject: =?utf-8?q?caf=C3=A9?=\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n")
	latin := add(latinMsg)
	for _, tc := range []struct {
		msg        *memstore.Message
		needle     string
		body, text bool
	}{
		{nested, "plain body", true, true},
		{nested, "inner text", true, true},
		{nested, "été", true, true},
		{nested, "=c3=a9", false, false},       // quoted-printable source
		{nested, "outer", false, true},         // boundary; TEXT: in the root Content-Type value
		{nested, "--alt", false, false},        // delimiter line
		{nested, "content-type", false, false}, // part header
		{nested, "doc.pdf", false, false},      // attachment's part header
		{nested, "jvberi0", false, false},      // base64 attachment data
		{nested, "<p>", true, true},            // HTML is text
		{nested, "nested", false, true},        // Subject
		{nested, "eve@example.com", false, true},
		{nested, "inner", true, true}, // encapsulated Subject for TEXT; text for BODY
		{simple, "how are", true, true},
		{simple, "hello there", false, true},
		{simple, "subject:", false, false}, // field names are not text
		{b64, "hello world", true, true},
		{b64, "agvsbg8", false, false},
		{b64, "café", false, true},
		{b64, "=?utf-8", false, false},
		{latin, "crème", true, true},
		{latin, "cr", true, true},
		{latin, "café", false, true},
	} {
		needle := strings.ToLower(tc.needle)
		if got := matchText(tc.msg, needle, false); got != tc.body {
			t.Errorf("BODY %q in %.20q: %v, want %v", tc.needle, tc.msg.Raw, got, tc.body)
		}
		if got := matchText(tc.msg, needle, true); got != tc.text {
			t.Errorf("TEXT %q in %.20q: %v, want %v", tc.needle, tc.msg.Raw, got, tc.text)
		}
	}
}

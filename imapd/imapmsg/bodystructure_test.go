package imapmsg

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"intray/memstore/mimepart"
)

func TestParamsOrder(t *testing.T) {
	var b strings.Builder
	b.WriteString("Content-Type: application/x-test")
	for i := 20; i > 0; i-- {
		b.WriteString("; p" + strconv.Itoa(i) + "=v" + strconv.Itoa(i))
	}
	b.WriteString("\r\n\r\n")
	raw := []byte(b.String())
	got := string(AppendBodyStructure(nil, raw, mimepart.Parse(raw), false))
	// The first 16 names keep header order, the rest follow sorted.
	want := `("APPLICATION" "X-TEST" (`
	for i := 20; i > 4; i-- {
		want += `"P` + strconv.Itoa(i) + `" "v` + strconv.Itoa(i) + `" `
	}
	want += `"P1" "v1" "P2" "v2" "P3" "v3" "P4" "v4") NIL NIL "7BIT" 0)`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestBodyStructureEdgeCases(t *testing.T) {
	tests := []struct{ msg, want string }{
		// RFC 2045 5.2 default, Dovecot-style line count (no final LF).
		{"\r\nabc", `("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3 0)`},
		{"Content-Type: text/plain; format=flowed\r\n\r\na\r\nb\r\n", `("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "FORMAT" "flowed") NIL NIL "7BIT" 6 2)`},
		{"Content-Type: image/png; name=\"a \\\"b\\\".png\"\r\nContent-Disposition: ATTACHMENT\r\n\r\n",
			`("IMAGE" "PNG" ("NAME" "a \"b\".png") NIL NIL "7BIT" 0)`},
		{"Content-Type: text/plain; name*=iso-8859-1''caf%E9.txt\r\n\r\n",
			`("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "=?UTF-8?B?Y2Fmw6kudHh0?=") NIL NIL "7BIT" 0 0)`},
	}
	for _, tt := range tests {
		raw := []byte(tt.msg)
		if got := string(AppendBodyStructure(nil, raw, mimepart.Parse(raw), false)); got != tt.want {
			t.Errorf("BODY of %q\n got %s\nwant %s", tt.msg, got, tt.want)
		}
	}
	if got := string(AppendBodyStructure(nil, nil, nil, true)); got != `("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0)` {
		t.Errorf("nil root: %s", got)
	}
}

// TestNestedEncodedMessages checks that message/rfc822 parts encoded in
// base64 inside each other are decoded only to a bounded depth.
func TestNestedEncodedMessages(t *testing.T) {
	msg := "Subject: leaf\r\n\r\nleaf\r\n"
	for range 8 {
		msg = "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64Std(msg) + "\r\n"
	}
	raw := []byte(msg)
	root := mimepart.Parse(raw)
	out := AppendBodyStructure(nil, raw, root, true)
	if n := strings.Count(string(out), `"MESSAGE" "RFC822"`); n != maxDecodedDepth+1 {
		t.Errorf("rendered %d nested messages, want %d: %s", n, maxDecodedDepth+1, out)
	}
	checkRendered(t, raw, root)
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestMimepartLinesContract pins the meaning of mimepart.Part.Lines that
// partLines relies on to avoid rescanning bodies: LFs, plus one for a last
// line without LF.
func TestMimepartLinesContract(t *testing.T) {
	for _, body := range []string{"", "a", "a\r\n", "a\r\nb", "\r\n\r\n"} {
		raw := []byte("Subject: x\r\n\r\n" + body)
		p := mimepart.Parse(raw)
		if got, want := partLines(raw, p), Lines([]byte(body)); got != want {
			t.Errorf("body %q: partLines %d (mimepart Lines %d), Lines %d", body, got, p.Lines, want)
		}
	}
}

package mimepart

import (
	"fmt"
	"strings"
	"testing"
)

// crlf turns a readable LF literal into the CRLF form the store keeps.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParseSections(t *testing.T) {
	type want struct {
		id, mediaType, mime, body string
	}
	tests := []struct {
		file  string
		parts []want // checked with Find(id); mime and body are exact bytes
	}{
		{"plain.eml", []want{
			{"1", "text/plain", "", "Hi Bob,\r\n\r\nare we still on for lunch tomorrow at the café?\r\nSee https://example.com/menu?day=wed&x=1.\r\n\r\nAlice\r\n"},
		}},
		{"alternative.eml", []want{
			{"1", "text/plain", "Content-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", ""},
			{"2", "text/html", "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n", ""},
		}},
		{"nested-rfc822.eml", []want{
			{"1", "text/plain", "Content-Type: text/plain\r\n\r\n", "See the forwarded message."},
			{"2", "message/rfc822", "Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n", ""},
			{"2.1", "text/plain", "Content-Type: text/plain; charset=us-ascii\r\n\r\n", "Inner plain."},
			{"2.2", "text/html", "", "<p>Inner html.</p>"},
			{"3", "message/rfc822", "", "Subject: Simple inner\r\n\r\nSimple body."},
			{"3.1", "text/plain", "Subject: Simple inner\r\n\r\n", "Simple body."},
		}},
		{"digest.eml", []want{
			{"2", "multipart/digest", "", ""},
			{"2.1", "message/rfc822", "\r\n", "From: a@example.org\r\nSubject: Hello\r\n\r\nFirst message."},
			{"2.1.1", "text/plain", "From: a@example.org\r\nSubject: Hello\r\n\r\n", "First message."},
			{"2.2.1", "text/plain", "", "Second message."},
		}},
		{"missing-final-boundary.eml", []want{
			{"1", "text/plain", "", "first"},
			{"2", "text/plain", "", "second, and the message ends here\r\n"},
		}},
		{"garbage-between-parts.eml", []want{
			{"1", "text/plain", "Content-Type: text/plain\r\n\r\n", "part one\r\n--b1 trailing junk is not a delimiter\r\nstill part one"},
			{"2", "text/plain", "", "garbage line without header colon"},
		}},
		{"boundary-in-preamble.eml", []want{{"1", "text/plain", "", "only part"}}},
		{"lf-only.eml", []want{
			{"1", "text/plain", "Content-Type: text/plain\n\n", "line one\nline two"},
			{"2", "text/html", "Content-Type: text/html\r\n\r\n", "<b>bold</b>"},
		}},
		{"missing-boundary.eml", []want{{"1", "text/plain", "", ""}}},
		{"header-no-blank.eml", []want{{"1", "text/plain", "", "This line starts the body without a blank line.\r\nSecond body line.\r\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := load(t, tt.file)
			root := Parse(raw)
			for _, w := range tt.parts {
				p := root.Find(w.id)
				if p == nil {
					t.Fatalf("Find(%q) = nil", w.id)
				}
				if p.MediaType != w.mediaType {
					t.Errorf("%s: MediaType %q, want %q", w.id, p.MediaType, w.mediaType)
				}
				if got := string(raw[p.HeaderStart:p.HeaderEnd]); w.mime != "" && got != w.mime {
					t.Errorf("%s: header %q, want %q", w.id, got, w.mime)
				}
				if got := string(raw[p.BodyStart:p.BodyEnd]); w.body != "" && got != w.body {
					t.Errorf("%s: body %q, want %q", w.id, got, w.body)
				}
			}
		})
	}
}

func TestFind(t *testing.T) {
	raw := load(t, "nested-rfc822.eml")
	root := Parse(raw)
	tests := []struct {
		id   string
		want *Part
	}{
		{"", root},
		{"1", root.Parts[0]},
		{"2", root.Parts[1]},
		{"2.1", root.Parts[1].Embedded.Parts[0]},
		{"2.2", root.Parts[1].Embedded.Parts[1]},
		{"3.1", root.Parts[2].Embedded},
		{"3.2", nil},
		{"1.1", nil},
		{"4", nil},
		{"0", nil},
		{"01", nil},
		{"2.", nil},
		{"x", nil},
		{"2.1.1", nil},
		{"-1", nil},
	}
	for _, tt := range tests {
		if got := root.Find(tt.id); got != tt.want {
			t.Errorf("Find(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}

	plain := Parse(crlf("Subject: x\n\nbody\n"))
	if plain.Find("1") != plain || plain.Find("2") != nil || plain.Find("1.1") != nil {
		t.Errorf("non-multipart message: section 1 must be the root itself and nothing else")
	}
	var nilPart *Part
	if nilPart.Find("1") != nil {
		t.Errorf("nil.Find must be nil")
	}

	// A message whose own type is message/rfc822: 1 is its body (the
	// encapsulated message), 1.1 the body of that.
	fwd := crlf("Content-Type: message/rfc822\n\nSubject: inner\n\ninner body")
	fr := Parse(fwd)
	if fr.Find("1") != fr || fr.Find("1.1") != fr.Embedded || fr.Embedded.ID != "1" {
		t.Errorf("message/rfc822 root: Find(1)=%v Find(1.1)=%v embedded ID %q", fr.Find("1"), fr.Find("1.1"), fr.Embedded.ID)
	}
	if got := string(fwd[fr.Embedded.BodyStart:fr.Embedded.BodyEnd]); got != "inner body" {
		t.Errorf("embedded body %q", got)
	}

	// Messages inside messages: 1 is the outer body, 1.1 the body of the
	// first encapsulated message, 1.1.1 the first part of the innermost.
	deep := crlf("Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\nContent-Type: multipart/mixed; boundary=x\n\n--x\n\nA\n--x--\n")
	dr := Parse(deep)
	e1, e2 := dr.Embedded, dr.Embedded.Embedded
	if e1.ID != "1" || e2.ID != "1.1" || dr.Find("1.1") != e1 || dr.Find("1.1.1") != e2.Parts[0] || e2.Parts[0].ID != "1.1.1" {
		t.Errorf("nested messages: ids %q %q, Find(1.1)=%p Find(1.1.1)=%p", e1.ID, e2.ID, dr.Find("1.1"), dr.Find("1.1.1"))
	}
	checkTree(t, deep, dr)
}

func TestWalkSkip(t *testing.T) {
	root := Parse(load(t, "nested-rfc822.eml"))
	var ids []string
	root.Walk(func(p *Part) bool {
		ids = append(ids, p.ID+":"+p.MediaType)
		return p.MediaType != "message/rfc822"
	})
	want := ":multipart/mixed 1:text/plain 2:message/rfc822 3:message/rfc822"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("Walk visited %s, want %s", got, want)
	}
	var nilPart *Part
	nilPart.Walk(func(*Part) bool { t.Fatal("called on nil"); return true })
}

func TestParseDefaultsAndDegrading(t *testing.T) {
	tests := []struct {
		name, msg               string
		mediaType, charset, enc string
		children                int
	}{
		{"no content-type", "Subject: x\n\nhi", "text/plain", "us-ascii", "7bit", 0},
		{"invalid content-type", "Content-Type: garbage\n\nhi", "text/plain", "us-ascii", "7bit", 0},
		{"type only", "Content-Type: text\n\nhi", "text/plain", "us-ascii", "7bit", 0},
		{"uppercase", "Content-Type: TEXT/HTML; CHARSET=\"UTF-8\"\nContent-Transfer-Encoding: BASE64 (comment)\n\naGk=", "text/html", "utf-8", "base64", 0},
		{"no boundary", "Content-Type: multipart/mixed\n\n--x\n\nhi\n--x--", "text/plain", "us-ascii", "7bit", 0},
		{"boundary never used", "Content-Type: multipart/mixed; boundary=zz\n\n--x\n\nhi\n--x--", "text/plain", "us-ascii", "7bit", 0},
		{"only close delimiter", "Content-Type: multipart/mixed; boundary=zz\n\n--zz--\n", "text/plain", "us-ascii", "7bit", 0},
		{"empty parts", "Content-Type: multipart/mixed; boundary=zz\n\n--zz\n--zz\n--zz--\n", "multipart/mixed", "", "7bit", 2},
		{"no preamble, LF-only", "Content-Type: multipart/mixed; boundary=zz\n\n--zz\n\na\n--zz--", "multipart/mixed", "", "7bit", 1},
		{"image", "Content-Type: image/png\n\n", "image/png", "", "7bit", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := crlf(tt.msg)
			if strings.Contains(tt.name, "LF-only") {
				raw = []byte(tt.msg)
			}
			p := Parse(raw)
			if p.MediaType != tt.mediaType || p.Charset != tt.charset || p.Encoding != tt.enc || len(p.Parts) != tt.children {
				t.Errorf("got %s charset=%q enc=%q children=%d, want %s %q %q %d",
					p.MediaType, p.Charset, p.Encoding, len(p.Parts), tt.mediaType, tt.charset, tt.enc, tt.children)
			}
			checkTree(t, raw, p)
		})
	}
}

func TestParseEmptyParts(t *testing.T) {
	raw := crlf("Content-Type: multipart/mixed; boundary=zz\n\n--zz\n--zz\n\n\n--zz--\n")
	p := Parse(raw)
	if len(p.Parts) != 2 {
		t.Fatalf("%d parts", len(p.Parts))
	}
	for _, c := range p.Parts {
		if c.Size() != 0 {
			t.Errorf("part %s: size %d, want 0 (body %q)", c.ID, c.Size(), raw[c.BodyStart:c.BodyEnd])
		}
	}
	if got := string(raw[p.Parts[1].HeaderStart:p.Parts[1].HeaderEnd]); got != "\r\n" {
		t.Errorf("part 2 header %q, want the blank line", got)
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("depth", func(t *testing.T) {
		var b strings.Builder
		for i := 0; i < MaxDepth+10; i++ {
			fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
		}
		b.WriteString("\nleaf\n")
		raw := crlf(b.String())
		root := Parse(raw)
		depth, deepest := 0, root
		root.Walk(func(p *Part) bool {
			if d := strings.Count(p.ID, ".") + 1; p.ID != "" && d > depth {
				depth, deepest = d, p
			}
			return true
		})
		if depth != MaxDepth || deepest.MediaType != "application/octet-stream" {
			t.Errorf("deepest part %q at depth %d is %s, want depth %d application/octet-stream", deepest.ID, depth, deepest.MediaType, MaxDepth)
		}
		checkTree(t, raw, root)
	})
	t.Run("rfc822 depth", func(t *testing.T) {
		raw := crlf(strings.Repeat("Content-Type: message/rfc822\n\n", MaxDepth+5) + "end")
		root := Parse(raw)
		n := 0
		for p := root; p != nil; p = p.Embedded {
			n++
			if p.Embedded == nil && p.MediaType != "application/octet-stream" {
				t.Errorf("last part %s", p.MediaType)
			}
		}
		if n != MaxDepth+1 {
			t.Errorf("%d levels, want %d", n, MaxDepth+1)
		}
		checkTree(t, raw, root)
	})
	t.Run("parts", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("Content-Type: multipart/mixed; boundary=b\n\n")
		for i := 0; i < MaxParts+50; i++ {
			b.WriteString("--b\n\nx\n")
		}
		b.WriteString("--b--\n")
		raw := crlf(b.String())
		root := Parse(raw)
		if len(root.Parts) != MaxParts-1 {
			t.Errorf("%d children, want %d (the root counts too)", len(root.Parts), MaxParts-1)
		}
		checkTree(t, raw, root)
	})
	t.Run("header fields", func(t *testing.T) {
		raw := crlf(strings.Repeat("X-A: 1\n", MaxHeaderFields+10) + "Subject: late\n\nbody")
		p := Parse(raw)
		if len(p.Header) != MaxHeaderFields || p.Header.Get("Subject") != "" {
			t.Errorf("%d fields kept", len(p.Header))
		}
		if string(raw[p.BodyStart:p.BodyEnd]) != "body" {
			t.Errorf("body offsets wrong after the field limit")
		}
	})
}

func TestPartDescribe(t *testing.T) {
	raw := load(t, "mixed-attachments.eml")
	root := Parse(raw)
	tests := []struct {
		id, filename, disposition, charset, desc string
		attachment                               bool
	}{
		{"1", "", "", "iso-8859-1", "", false},
		{"2", "€ rates 2024.pdf", "attachment", "", "", true},
		{"3", "Отчет.txt", "attachment", "", "", true},
		{"4", "résumé very long name.csv", "attachment", "utf-8", "Résumé", true},
	}
	for _, tt := range tests {
		p := root.Find(tt.id)
		if p.Filename != tt.filename || p.Disposition != tt.disposition || p.Charset != tt.charset ||
			p.Description != tt.desc || p.IsAttachment() != tt.attachment {
			t.Errorf("%s: filename=%q disp=%q charset=%q desc=%q attachment=%v", tt.id, p.Filename, p.Disposition, p.Charset, p.Description, p.IsAttachment())
		}
	}
	if got := root.Find("2").DispositionParams["filename"]; got != "€ rates 2024.pdf" {
		t.Errorf("DispositionParams[filename] = %q", got)
	}
	img := Parse(load(t, "related.eml")).Find("2")
	if img.ContentID != "logo@example.com" || img.Params["name"] != "logo.png" || img.Disposition != "inline" {
		t.Errorf("inline image: cid=%q params=%v disp=%q", img.ContentID, img.Params, img.Disposition)
	}
}

func TestCountLines(t *testing.T) {
	for in, want := range map[string]int{"": 0, "a": 1, "a\r\n": 1, "a\r\nb": 2, "\r\n\r\n": 2, "a\nb\n": 2} {
		if got := countLines([]byte(in)); got != want {
			t.Errorf("countLines(%q) = %d, want %d", in, got, want)
		}
	}
}

package mimepart

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseSummary(t *testing.T) {
	tests := []struct {
		file, from, subject, snippet string
		to                           int
		attachments                  bool
	}{
		{"plain.eml", "alice@example.com", "Lunch tomorrow?", "Hi Bob, are we still on for lunch tomorrow at the café? See https://example.com/menu?day=wed&x=1. Al", 2, false}, // cut at SnippetLen runes
		{"alternative.eml", "noreply@shop.example", "Your order ✓ has shipped", "Hello Bob, your order #1234 has shipped. Total: 42,00 € Track it at https://track.example.com/p/1234", 1, false},
		{"related.eml", "news@example.com", "Monthly news", "News Our logo:", 1, true}, // HTML only; inline image with a filename
		{"mixed-attachments.eml", "andre@example.fr", "Documents", "Voici les documents demandés.", 1, true},
		{"nested-rfc822.eml", "bob@example.org", "Fwd: Lunch tomorrow?", "See the forwarded message.", 1, false},
		{"koi8-r.eml", "ivan@example.ru", "Привет", "Привет, мир!", 1, false},
		{"encoded-words.eml", "smiley@example.com", "✓ Emoji 😀 split and café“quoted”", "Body with émojis 😀.", 2, false},
		{"header-only.eml", "a@example.com", "Nothing but headers", "", 1, false},
		{"lf-only.eml", "a@example.com", "LF inside", "line one line two", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s := ParseSummary(load(t, tt.file))
			if s.From.Address != tt.from || s.Subject != tt.subject || s.Snippet != tt.snippet ||
				len(s.To) != tt.to || s.HasAttachments != tt.attachments {
				t.Errorf("got from=%q subject=%q snippet=%q to=%d attachments=%v", s.From.Address, s.Subject, s.Snippet, len(s.To), s.HasAttachments)
			}
		})
	}
	s := ParseSummary(load(t, "plain.eml"))
	if !s.Date.Equal(time.Date(2024, 5, 14, 9, 59, 58, 0, time.UTC)) || s.MessageID != "20240514095958.1234@example.com" ||
		s.From.Name != "Alice Example" || len(s.Cc) != 1 || s.Cc[0].Name != "Dave, Jr." {
		t.Errorf("plain.eml: %+v", s)
	}
}

func TestSnippetLimits(t *testing.T) {
	long := strings.Repeat("word   \r\n\t", 5000)
	raw := crlf("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + long)
	s := ParseSummary(raw)
	if n := utf8.RuneCountInString(s.Snippet); n < SnippetLen-1 || n > SnippetLen || strings.Contains(s.Snippet, "  ") || strings.HasSuffix(s.Snippet, " ") {
		t.Errorf("snippet has %d runes: %q", n, s.Snippet[:40])
	}

	// Visible text only after a large head and lots of markup.
	html := "<html><head><style>" + strings.Repeat("p{color:red}\n", 5000) + "</style></head><body>" +
		strings.Repeat("<div>\n</div>", 10000) + "<p>Hello &amp; welcome</p><script>alert(1)</script>tail</body></html>"
	raw = crlf("Content-Type: text/html\n\n" + html)
	if got := ParseSummary(raw).Snippet; got != "Hello & welcome tail" {
		t.Errorf("html snippet %q", got)
	}

	// Multi-byte text cut inside a rune while growing is not corrupted.
	raw = crlf("Content-Type: text/plain; charset=utf-8\n\n" + strings.Repeat("€", 3000))
	if got := ParseSummary(raw).Snippet; got != strings.Repeat("€", SnippetLen) {
		t.Errorf("euro snippet %q", got)
	}
}

func TestCollapse(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
		full bool
	}{
		{"  a \r\n b  ", 10, "a b", false},
		{"abc", 3, "abc", true},
		{"ab cd", 3, "ab", true},
		{"a\x00b\u200bc", 10, "abc", false},
		{"", 5, "", false},
	}
	for _, tt := range tests {
		got, full := collapse(tt.in, tt.max)
		if got != tt.want || full != tt.full {
			t.Errorf("collapse(%q, %d) = %q, %v; want %q, %v", tt.in, tt.max, got, full, tt.want, tt.full)
		}
	}
}

func TestMessageID(t *testing.T) {
	for in, want := range map[string]string{"<a@b>": "a@b", " <a@b> (comment)": "a@b", "a@b": "a@b", "<a@b": "a@b", "": ""} {
		if got := messageID(in); got != want {
			t.Errorf("messageID(%q) = %q", in, got)
		}
	}
}

// TestParseSummaryBorrowsParseCopies: ParseSummary's strings may point into
// raw (its callers copy what they keep), while a tree from Parse never does,
// so a cached tree stays right whatever happens to the buffer it came from.
func TestParseSummaryBorrowsParseCopies(t *testing.T) {
	raw := []byte("From: Ann <ann@example.com>\r\nSubject: plain subject\r\n\r\nbody\r\n")
	sum := ParseSummary(raw)
	tree := Parse(raw)
	if sum.Subject != "plain subject" || tree.Header.Get("Subject") != "plain subject" {
		t.Fatalf("subject: summary %q, tree %q", sum.Subject, tree.Header.Get("Subject"))
	}
	copy(raw[bytes.Index(raw, []byte("plain")):], "PLAIN")
	if sum.Subject != "PLAIN subject" {
		t.Errorf("summary subject %q does not borrow raw", sum.Subject)
	}
	if got := tree.Header.Get("Subject"); got != "plain subject" {
		t.Errorf("tree subject changed with raw: %q", got)
	}
}

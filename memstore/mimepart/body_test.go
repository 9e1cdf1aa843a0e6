package mimepart

import (
	"strings"
	"sync"
	"testing"
)

func TestBodies(t *testing.T) {
	tests := []struct {
		file, textID, htmlID, textPrefix, htmlPrefix string
	}{
		{"plain.eml", "", "-", "Hi Bob,", ""},
		{"alternative.eml", "1", "2", "Hello Bob,", "<html><head><title>Order"},
		{"related.eml", "-", "1", "", "<html><body><h1>News"},
		{"mixed-attachments.eml", "1", "-", "Voici", ""},                  // text/csv attachment is not a body
		{"nested-rfc822.eml", "1", "-", "See the forwarded message.", ""}, // inner html is not the body
		{"digest.eml", "1", "-", "Today's topics", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := load(t, tt.file)
			b := Parse(raw).Bodies(raw)
			if id := partID(b.TextPart); id != tt.textID || !strings.HasPrefix(b.Text, tt.textPrefix) {
				t.Errorf("text part %q %q", id, b.Text)
			}
			if id := partID(b.HTMLPart); id != tt.htmlID || !strings.HasPrefix(b.HTML, tt.htmlPrefix) {
				t.Errorf("html part %q %q", id, b.HTML)
			}
		})
	}
	// A message that is itself message/rfc822 has no body of its own.
	raw := crlf("Content-Type: message/rfc822\n\nSubject: inner\n\ninner")
	if b := Parse(raw).Bodies(raw); b.TextPart != nil || b.Text != "" {
		t.Errorf("message/rfc822 root: %+v", b)
	}
}

func partID(p *Part) string {
	if p == nil {
		return "-"
	}
	return p.ID
}

// TestConcurrentUse shares one parsed tree between goroutines, as the IMAP
// and HTTP servers do; run under -race.
func TestConcurrentUse(t *testing.T) {
	raw := load(t, "nested-rfc822.eml")
	root := Parse(raw)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				root.Bodies(raw)
				root.Summary(raw)
				root.Find("2.1").Text(raw)
				ParseSummary(raw)
			}
		}()
	}
	wg.Wait()
}

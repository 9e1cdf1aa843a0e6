package mimepart

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-message"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

// corpus returns the test messages under testdata, by file name.
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	m := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.Base(f)] = b
	}
	return m
}

func load(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dump renders everything Parse and Summary found, offsets included, so
// that golden files pin the exact behaviour on the corpus.
func dump(raw []byte) string {
	var b strings.Builder
	root := Parse(raw)
	root.Walk(func(p *Part) bool {
		fmt.Fprintf(&b, "%s[%s] %s charset=%s enc=%s disp=%s filename=%q cid=%q desc=%q lines=%d size=%d\n",
			strings.Repeat("  ", strings.Count(p.ID, ".")), p.ID, p.MediaType, p.Charset, p.Encoding,
			p.Disposition, p.Filename, p.ContentID, p.Description, p.Lines, p.Size())
		fmt.Fprintf(&b, "  header %q\n", raw[p.HeaderStart:p.HeaderEnd])
		if !p.IsMultipart() {
			fmt.Fprintf(&b, "  body %q\n", clip(raw[p.BodyStart:p.BodyEnd]))
			txt, err := p.Text(raw)
			fmt.Fprintf(&b, "  text %q err=%v\n", clip([]byte(txt)), err != nil)
		}
		return true
	})
	s := root.Summary(raw)
	fmt.Fprintf(&b, "summary from=%q to=%q cc=%q subject=%q date=%s id=%q attachments=%v\n  snippet=%q\n",
		s.From, s.To, s.Cc, s.Subject, s.Date.Format("2006-01-02T15:04:05Z07:00"), s.MessageID, s.HasAttachments, s.Snippet)
	body := root.Bodies(raw)
	fmt.Fprintf(&b, "bodies text=%q html=%q\nlinks %q\n", clip([]byte(body.Text)), clip([]byte(body.HTML)), Links(body.Text, body.HTML))
	return b.String()
}

func clip(b []byte) string {
	if len(b) > 120 {
		return string(b[:120]) + "..."
	}
	return string(b)
}

func TestGolden(t *testing.T) {
	for name, raw := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			got := dump(raw)
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(name, ".eml")+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("dump differs from %s (run with -update to accept):\n%s", golden, got)
			}
		})
	}
}

// TestCorpusInvariants checks, on every corpus message, the properties
// IMAP relies on: offsets in bounds and ordered, the header of a part
// directly after its delimiter line, its body ending right before the CRLF
// of the next delimiter, and Find agreeing with Walk.
func TestCorpusInvariants(t *testing.T) {
	for name, raw := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			root := Parse(raw)
			checkTree(t, raw, root)
			root.Walk(func(p *Part) bool {
				if !p.IsMultipart() {
					return true
				}
				delim := "--" + p.Params["boundary"]
				for i, c := range p.Parts {
					line := lastLine(raw[p.BodyStart:c.HeaderStart])
					if strings.TrimRight(line, " \t\r\n") != delim {
						t.Errorf("part %s: preceded by %q, want delimiter %q", c.ID, line, delim)
					}
					if i < len(p.Parts)-1 || c.BodyEnd != p.BodyEnd {
						rest := string(raw[c.BodyEnd:min(len(raw), c.BodyEnd+len(delim)+2)])
						if rest != "\r\n"+delim && rest[:min(len(rest), len(delim)+1)] != "\n"+delim {
							t.Errorf("part %s: body followed by %q, want CRLF+%q", c.ID, rest, delim)
						}
					}
				}
				return true
			})
		})
	}
}

// lastLine returns the last complete line of b, with its line break.
func lastLine(b []byte) string {
	s := string(b)
	s = strings.TrimSuffix(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// checkTree asserts the structural invariants of a parse of raw.
func checkTree(t testing.TB, raw []byte, root *Part) {
	t.Helper()
	embedded := map[*Part]bool{}
	n := 0
	root.Walk(func(p *Part) bool {
		n++
		if !(0 <= p.HeaderStart && p.HeaderStart <= p.HeaderEnd && p.HeaderEnd == p.BodyStart &&
			p.BodyStart <= p.BodyEnd && p.BodyEnd <= len(raw)) {
			t.Fatalf("part %q: bad offsets h=[%d,%d) b=[%d,%d) len=%d", p.ID, p.HeaderStart, p.HeaderEnd, p.BodyStart, p.BodyEnd, len(raw))
		}
		prev := p.BodyStart
		for _, c := range p.Parts {
			if c.HeaderStart < prev || c.BodyEnd > p.BodyEnd {
				t.Fatalf("part %q: child %q [%d,%d) outside or overlapping (prev end %d, parent body [%d,%d))",
					p.ID, c.ID, c.HeaderStart, c.BodyEnd, prev, p.BodyStart, p.BodyEnd)
			}
			prev = c.BodyEnd
		}
		if e := p.Embedded; e != nil {
			embedded[e] = true
			if e.HeaderStart != p.BodyStart || e.BodyEnd != p.BodyEnd {
				t.Fatalf("part %q: embedded message [%d,%d) is not the body [%d,%d)", p.ID, e.HeaderStart, e.BodyEnd, p.BodyStart, p.BodyEnd)
			}
		}
		if !embedded[p] {
			if got := root.Find(p.ID); got != p {
				t.Fatalf("Find(%q) = %v, want the part itself", p.ID, got)
			}
		}
		if p.IsMultipart() && len(p.Parts) == 0 {
			t.Fatalf("part %q: multipart without children", p.ID)
		}
		if _, err := p.Decoded(raw); err != nil {
			t.Fatalf("part %q: Decoded: %v", p.ID, err)
		}
		return true
	})
	if n > MaxParts {
		t.Fatalf("%d parts, limit %d", n, MaxParts)
	}
}

// TestAgainstGoMessage compares the leaves and decoded bodies of the
// well-formed corpus with go-message's independent multipart reader.
func TestAgainstGoMessage(t *testing.T) {
	wellFormed := []string{"plain.eml", "alternative.eml", "related.eml", "mixed-attachments.eml",
		"nested-rfc822.eml", "digest.eml", "iso-8859-1.eml", "windows-1252.eml", "koi8-r.eml",
		"encoded-words.eml", "boundary-in-preamble.eml"}
	for _, name := range wellFormed {
		t.Run(name, func(t *testing.T) {
			raw := load(t, name)
			var want [][]byte
			e, err := message.Read(bytes.NewReader(raw))
			if e == nil {
				t.Fatalf("go-message: %v", err)
			}
			if err := e.Walk(func(_ []int, e *message.Entity, err error) error {
				if e.MultipartReader() != nil {
					return nil
				}
				b := new(bytes.Buffer)
				if _, err := b.ReadFrom(e.Body); err != nil {
					return err
				}
				want = append(want, b.Bytes())
				return nil
			}); err != nil {
				t.Fatalf("go-message walk: %v", err)
			}
			var got [][]byte
			Parse(raw).Walk(func(p *Part) bool {
				if p.IsMultipart() {
					return true
				}
				// go-message converts a part with a charset parameter to
				// UTF-8 (its charset package is registered); compare like
				// with like.
				b, _ := p.Decoded(raw)
				if _, ok := p.Params["charset"]; ok {
					txt, _ := p.Text(raw)
					b = []byte(txt)
				}
				got = append(got, b)
				return false // go-message does not descend into message/rfc822
			})
			if len(got) != len(want) {
				t.Fatalf("%d leaves, go-message has %d", len(got), len(want))
			}
			for i := range got {
				if !bytes.Equal(got[i], want[i]) {
					t.Errorf("leaf %d:\n got %q\nwant %q", i, got[i], want[i])
				}
			}
		})
	}
}

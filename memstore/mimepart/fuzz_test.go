package mimepart

import (
	"net/mail"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"
)

// addCorpusSeeds seeds f with the testdata messages and a few hostile
// shapes.
func addCorpusSeeds(f *testing.F) {
	for _, raw := range corpus(f) {
		f.Add(raw)
	}
	for _, s := range []string{
		"",
		"\r\n",
		"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a--",
		"Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: multipart/digest; boundary=x\r\n\r\n--x\r\n\r\n--x--",
		"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n",
		"Content-Type: text/plain; charset*0*=utf-8''%; charset*1=x\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=\r\n=4",
		"Subject: =?utf-8?b?====?= =?\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
}

func FuzzParse(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		root := Parse(raw)
		checkTree(t, raw, root)
		root.Walk(func(p *Part) bool {
			for _, fl := range p.Header {
				if !utf8.ValidString(fl.Value) {
					t.Fatalf("part %q: field %q value is not UTF-8: %q", p.ID, fl.Name, fl.Value)
				}
			}
			if s, _ := p.Text(raw); !utf8.ValidString(s) {
				t.Fatalf("part %q: Text is not UTF-8", p.ID)
			}
			return true
		})
		b := root.Bodies(raw)
		Links(b.Text, b.HTML)
	})
}

func FuzzParseSummary(f *testing.F) {
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		s := ParseSummary(raw)
		if n := utf8.RuneCountInString(s.Snippet); n > SnippetLen || !utf8.ValidString(s.Snippet) {
			t.Fatalf("bad snippet (%d runes): %q", n, s.Snippet)
		}
		if !utf8.ValidString(s.Subject) {
			t.Fatalf("subject not UTF-8: %q", s.Subject)
		}
		// ParseSummary takes shortcuts (a borrowed, partial header); it
		// must agree with the summary of the full tree.
		full := Parse(raw).Summary(raw)
		if !s.Date.Equal(full.Date) {
			t.Fatalf("date %v, full parse %v", s.Date, full.Date)
		}
		s.Date, full.Date = time.Time{}, time.Time{}
		if !reflect.DeepEqual(s, full) {
			t.Fatalf("ParseSummary = %+v\nfull parse   = %+v", s, full)
		}
	})
}

func FuzzParseAddressList(f *testing.F) {
	for _, s := range []string{
		"a@example.com", `"Dave, Jr." <d@e.f>`, "undisclosed-recipients:;", "G: a@b, c@d;, e@f",
		`"broken <a@b.c>`, "=?utf-8?q?Fran=C3=A7ois?= <f@e.fr>", "x (y) <z@w>", "<<<>>>,,;;::\"\\",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if fast, ok := fastAddressList(s); ok {
			list, err := mail.ParseAddressList(s)
			if err != nil || len(list) != len(fast) {
				t.Fatalf("fast path accepted %q: %q; net/mail: %v, %v", s, fast, list, err)
			}
			for i, a := range list {
				if fast[i] != (Address{Name: a.Name, Address: a.Address}) {
					t.Fatalf("fast path %q differs from net/mail %q", fast[i], a)
				}
			}
		}
		for _, a := range ParseAddressList(s) {
			if !utf8.ValidString(a.Name) || !utf8.ValidString(a.Address) {
				t.Fatalf("not UTF-8: %q", a)
			}
		}
	})
}

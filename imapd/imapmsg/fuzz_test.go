package imapmsg

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"intray/memstore/mimepart"
)

func FuzzParseSection(f *testing.F) {
	for _, s := range []string{"", "HEADER", "1.2.3", "4.1.MIME", "1.2.HEADER.FIELDS (From To)",
		"HEADER.FIELDS.NOT (\"a b\" {3}\r\nabc)", "TEXT", "3.TEXT", "0", "1..", "HEADER.FIELDS ()"} {
		f.Add(s)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "rfc3501-example.eml"))
	if err != nil {
		f.Fatal(err)
	}
	raw = bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
	root := mimepart.Parse(raw)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseSection(spec)
		if err != nil {
			return
		}
		_ = s.Extract(raw, root)
		name := string(s.AppendName(nil))
		inner, ok := strings.CutPrefix(name, "BODY[")
		if inner, ok = strings.CutSuffix(inner, "]"); !ok {
			t.Fatalf("bad name %q", name)
		}
		s2, err := ParseSection(inner)
		if err != nil {
			t.Fatalf("AppendName of %q gave %q, which does not parse: %v", spec, name, err)
		}
		if string(s2.AppendName(nil)) != name {
			t.Fatalf("name of %q does not round-trip: %q", spec, name)
		}
	})
}

func FuzzAppendBodyStructure(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
	}
	f.Add([]byte("Content-Type: message/rfc822; charset=\"\xff\"\r\nContent-Transfer-Encoding: base64\r\n\r\nQ29udGVudC1UeXBlOiBtdWx0aXBhcnQvbWl4ZWQ7IGJvdW5kYXJ5PXgNCg0KLS14DQoNCmhpDQotLXgtLQ=="))
	f.Add([]byte("To: a:b:c;;;,<<>>\"(\\\r\nCc: (((\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		root := mimepart.Parse(raw)
		checkRendered(t, raw, root)
		root.Walk(func(p *mimepart.Part) bool {
			for _, spec := range []string{"", ".MIME", ".HEADER", ".TEXT", ".HEADER.FIELDS (Subject)"} {
				id := p.ID
				if id == "" {
					if spec == ".MIME" {
						continue
					}
					spec = strings.TrimPrefix(spec, ".")
				}
				s, err := ParseSection(id + spec)
				if err != nil {
					t.Fatalf("section %q: %v", id+spec, err)
				}
				_ = s.Extract(raw, root)
			}
			return true
		})
	})
}

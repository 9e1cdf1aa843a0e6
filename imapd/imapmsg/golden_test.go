package imapmsg

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"intray/memstore/mimepart"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// loadMessage reads a corpus message. The files use LF line endings for
// readability; intray normalises line endings to CRLF at ingest, so the
// tests do the same.
func loadMessage(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

// render returns the golden-file text for one message: its ENVELOPE, BODY
// and BODYSTRUCTURE, one per line.
func render(raw []byte, root *mimepart.Part) []byte {
	var out []byte
	out = append(out, "ENVELOPE "...)
	out = AppendEnvelope(out, raw, root)
	out = append(out, "\nBODY "...)
	out = AppendBodyStructure(out, raw, root, false)
	out = append(out, "\nBODYSTRUCTURE "...)
	out = AppendBodyStructure(out, raw, root, true)
	return append(out, '\n')
}

func corpus(t *testing.T) []string {
	names, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	return names
}

func TestGolden(t *testing.T) {
	for _, name := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			raw := loadMessage(t, name)
			root := mimepart.Parse(raw)
			got := render(raw, root)
			golden := filepath.Join("testdata", strings.TrimSuffix(name, ".eml")+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s\n got: %s\nwant: %s", golden, got, want)
			}
			checkRendered(t, raw, root)
		})
	}
}

// checkRendered checks ENVELOPE, BODY and BODYSTRUCTURE of a message
// against the grammar.
func checkRendered(t testing.TB, raw []byte, root *mimepart.Part) {
	t.Helper()
	env := AppendEnvelope(nil, raw, root)
	n, err := parseValue(env)
	if err == nil {
		err = checkEnvelope(n)
	}
	if err != nil {
		t.Fatalf("ENVELOPE %s: %v", env, err)
	}
	for _, ext := range []bool{false, true} {
		bs := AppendBodyStructure(nil, raw, root, ext)
		n, err := parseValue(bs)
		if err == nil {
			err = checkBody(n, ext)
		}
		if err != nil {
			t.Fatalf("BODYSTRUCTURE (ext %v) %q: %v", ext, bs, err)
		}
	}
}

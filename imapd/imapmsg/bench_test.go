package imapmsg

import (
	"testing"

	"intray/memstore/mimepart"
)

// The benchmarks use testdata/bench-2k.eml, a 2 KB notification mail
// (multipart/alternative, text and HTML) shaped like what an application
// under test sends.

func benchMessage(b *testing.B) ([]byte, *mimepart.Part) {
	raw := loadMessage(b, "bench-2k.eml")
	return raw, mimepart.Parse(raw)
}

func BenchmarkEnvelope(b *testing.B) {
	raw, root := benchMessage(b)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendEnvelope(buf[:0], raw, root)
	}
}

func BenchmarkBodyStructure(b *testing.B) {
	raw, root := benchMessage(b)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendBodyStructure(buf[:0], raw, root, true)
	}
}

// BenchmarkFetchItems renders what FETCH 1:* (FLAGS UID ENVELOPE
// BODYSTRUCTURE RFC822.SIZE) needs from this package for one message.
func BenchmarkFetchItems(b *testing.B) {
	raw, root := benchMessage(b)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = append(buf[:0], "* 1 FETCH (UID 1 RFC822.SIZE 2048 FLAGS (\\Seen) ENVELOPE "...)
		buf = AppendEnvelope(buf, raw, root)
		buf = append(buf, " BODYSTRUCTURE "...)
		buf = AppendBodyStructure(buf, raw, root, true)
		buf = append(buf, ")\r\n"...)
	}
}

// BenchmarkExtract renders BODY[] (the whole message as a literal), the
// core of FETCH 1:* BODY.PEEK[].
func BenchmarkExtract(b *testing.B) {
	raw, root := benchMessage(b)
	var s Section
	buf := make([]byte, 0, 8192)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		buf = s.AppendName(append(buf[:0], "* 1 FETCH (UID 1 "...))
		buf = append(buf, ' ')
		buf = AppendLiteral(buf, s.Extract(raw, root))
		buf = append(buf, ")\r\n"...)
	}
}

func BenchmarkExtractHeaderFields(b *testing.B) {
	raw, root := benchMessage(b)
	s, err := ParseSection("HEADER.FIELDS (From To Cc Subject Date Message-ID)")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Extract(raw, root)
	}
}

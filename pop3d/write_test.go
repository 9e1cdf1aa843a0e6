package pop3d

import (
	"bufio"
	"bytes"
	"net/textproto"
	"strings"
	"testing"
)

// dotWriter is the reference: what textproto.DotWriter sends for data.
func dotWriter(data []byte) string {
	var buf bytes.Buffer
	w := textproto.NewWriter(bufio.NewWriter(&buf))
	dw := w.DotWriter()
	_, _ = dw.Write(data)
	_ = dw.Close()
	return buf.String()
}

// writeDataString is what conn.writeData sends for data.
func writeDataString(data []byte) string {
	var buf bytes.Buffer
	c := &conn{w: bufio.NewWriter(&buf)}
	c.writeData(data)
	_ = c.w.Flush()
	return buf.String()
}

func TestWriteData(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ".\r\n"},
		{"a\r\n", "a\r\n.\r\n"},
		{"a", "a\r\n.\r\n"},
		{".", "..\r\n.\r\n"},
		{".\r\n", "..\r\n.\r\n"},
		{"a\r\n.b\r\n..c\r\n.", "a\r\n..b\r\n...c\r\n..\r\n.\r\n"},
		{"\r\n.\r\n", "\r\n..\r\n.\r\n"},
	} {
		if got := writeDataString([]byte(tc.in)); got != tc.want {
			t.Errorf("writeData(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzWriteData checks writeData against textproto.DotWriter on CRLF data
// (the only kind memstore stores) and that unstuffing gives the data back.
func FuzzWriteData(f *testing.F) {
	for _, s := range []string{"", ".", "a\r\n.\r\n", msgDots, msgNoCRLF, "..\r\n\r\n..."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.NewReplacer("\r\n", "\r\n", "\r", "\r\n", "\n", "\r\n").Replace(s)
		data := []byte(s)
		got := writeDataString(data)
		// DotWriter sends an empty line for empty data; a 0-octet message
		// has no lines (and memstore stores no empty message).
		if want := dotWriter(data); got != want && s != "" {
			t.Fatalf("writeData(%q) = %q, DotWriter gives %q", s, got, want)
		}
		back := unstuff(got)
		if !strings.HasSuffix(s, "\r\n") && s != "" {
			s += "\r\n"
		}
		if back != s {
			t.Fatalf("unstuffed %q, want %q", back, s)
		}
	})
}

func TestAppendHelpers(t *testing.T) {
	if got := string(appendPair(nil, 12, 3456)); got != "12 3456" {
		t.Errorf("appendPair = %q", got)
	}
	if got := string(appendCount([]byte("+OK "), 7, "octets")); got != "+OK 7 octets" {
		t.Errorf("appendCount = %q", got)
	}
}

func BenchmarkWriteData(b *testing.B) {
	msg := []byte(benchMessage(0))
	var sink bytes.Buffer
	b.Run("own", func(b *testing.B) {
		c := &conn{w: bufio.NewWriterSize(&sink, writeBufferSize)}
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			c.writeData(msg)
			sink.Reset()
		}
	})
	b.Run("DotWriter", func(b *testing.B) {
		w := textproto.NewWriter(bufio.NewWriterSize(&sink, writeBufferSize))
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			dw := w.DotWriter()
			_, _ = dw.Write(msg)
			_ = dw.Close()
			sink.Reset()
		}
	})
}

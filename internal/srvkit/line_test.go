package srvkit

import (
	"bufio"
	"errors"
	"io"
	"net/textproto"
	"strings"
	"testing"
)

func TestLineReader(t *testing.T) {
	long := strings.Repeat("x", 40)
	tests := []struct {
		name  string
		input string
		bufsz int
		max   int
		want  []string // lines, or "ERR" / "ERR+" for a (partial) too-long error
	}{
		{"crlf and lf", "a\r\nb\nc", 16, 10, []string{"a\r\n", "b\n", "c"}},
		{"exact max", "abcdefgh\r\nz\r\n", 16, 10, []string{"abcdefgh\r\n", "z\r\n"}},
		{"one over max in buffer", "abcdefghi\r\nz\r\n", 16, 10, []string{"ERR", "z\r\n"}},
		{"assembled under max", long + "\r\nz\r\n", 16, 64, []string{long + "\r\n", "z\r\n"}},
		{"longer than buffer and max", long + "\r\nz\r\n", 16, 20, []string{"ERR+", "z\r\n"}},
		{"partial at eof", long, 16, 20, []string{"ERR+"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &LineReader{R: bufio.NewReaderSize(strings.NewReader(tt.input), tt.bufsz), Max: tt.max}
			for i, want := range tt.want {
				line, err := r.ReadLine()
				var tl *LineTooLongError
				if errors.As(err, &tl) {
					got := "ERR"
					if tl.Partial {
						got = "ERR+"
						if err := r.SkipLine(); err != nil && err != io.EOF {
							t.Fatal(err)
						}
					}
					if !errors.Is(err, ErrLineTooLong) || tl.Limit != tt.max {
						t.Errorf("error %v does not match ErrLineTooLong/limit", err)
					}
					if got != want {
						t.Errorf("line %d: got %s, want %q", i, got, want)
					}
					continue
				}
				if err != nil && err != io.EOF {
					t.Fatalf("line %d: %v", i, err)
				}
				if string(line) != want {
					t.Errorf("line %d = %q, want %q", i, line, want)
				}
			}
			if _, err := r.ReadLine(); err != io.EOF {
				t.Errorf("after the lines: %v, want EOF", err)
			}
		})
	}
}

// TestLineReaderReadAhead checks that binary data read ahead by the buffer
// after a command is not counted against the line limit.
func TestLineReaderReadAhead(t *testing.T) {
	data := strings.Repeat("y", 5000) // no LF, far over Max
	in := "BDAT 5000\r\n" + data + "NOOP\r\n"
	br := bufio.NewReaderSize(strings.NewReader(in), 8192)
	r := &LineReader{R: br, Max: 512}
	line, err := r.ReadLine()
	if err != nil || string(line) != "BDAT 5000\r\n" {
		t.Fatalf("got %q %v", line, err)
	}
	if _, err := br.Discard(5000); err != nil {
		t.Fatal(err)
	}
	if line, err = r.ReadLine(); err != nil || string(line) != "NOOP\r\n" {
		t.Fatalf("got %q %v", line, err)
	}
}

// TestLineReaderTextproto shows the intended use with net/textproto.
func TestLineReaderTextproto(t *testing.T) {
	tp := textproto.NewReader(bufio.NewReaderSize(strings.NewReader(strings.Repeat("z", 300)+"\r\nUSER bob\r\n"), 64))
	r := &LineReader{R: tp.R, Max: 255}
	if _, err := r.ReadLine(); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("want too long, got %v", err)
	}
	if err := r.SkipLine(); err != nil {
		t.Fatal(err)
	}
	if line, err := r.ReadLine(); err != nil || string(line) != "USER bob\r\n" {
		t.Fatalf("got %q %v", line, err)
	}
}

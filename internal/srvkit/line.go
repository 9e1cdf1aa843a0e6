package srvkit

import (
	"bufio"
	"errors"
	"strconv"
)

// ErrLineTooLong matches (with errors.Is) every *LineTooLongError.
var ErrLineTooLong = errors.New("line too long")

// LineTooLongError is returned by LineReader.ReadLine for a line longer than
// the reader's limit. The reader has consumed the line up to the point where
// it gave up; Partial says whether the rest of the line (up to and including
// its LF) is still unread, in which case the caller discards it with
// SkipLine before reading on.
type LineTooLongError struct {
	Limit   int  // the limit that was exceeded
	Partial bool // the rest of the line is still unread
}

func (e *LineTooLongError) Error() string {
	return "line longer than " + strconv.Itoa(e.Limit) + " bytes"
}

// Is makes errors.Is(err, ErrLineTooLong) true.
func (e *LineTooLongError) Is(target error) bool { return target == ErrLineTooLong }

// LineReader reads LF-terminated lines of bounded length from a
// bufio.Reader. It reads at the consumer side of the buffer, so it only ever
// counts bytes the protocol reads as lines: binary data that a pipelining
// client sends after a command (SMTP BDAT, IMAP literals) and that the
// buffer happens to read ahead is never mistaken for an over-long line.
//
// To bound a net/textproto session, build the LineReader on the
// textproto.Reader's R field and read command lines with ReadLine instead of
// textproto's ReadLine; the textproto.Writer and DotWriter are unaffected.
//
// A LineReader is not safe for concurrent use.
type LineReader struct {
	R   *bufio.Reader
	Max int // the longest accepted line in bytes, terminator included; > 0

	buf []byte // assembles lines longer than R's buffer; reused
}

// ReadLine returns the next line with its terminator (LF or CRLF) still on.
// The slice is valid until the next call on the LineReader or R. A line
// longer than Max fails with a *LineTooLongError. At end of input, a final
// line without LF is returned with io.EOF (or the read error).
func (r *LineReader) ReadLine() ([]byte, error) {
	line, err := r.R.ReadSlice('\n')
	if err == nil || !errors.Is(err, bufio.ErrBufferFull) {
		if len(line) > r.Max {
			return nil, &LineTooLongError{Limit: r.Max}
		}
		return line, err
	}
	// The line is longer than the buffer: assemble it, up to Max.
	r.buf = append(r.buf[:0], line...)
	for len(r.buf) <= r.Max {
		line, err = r.R.ReadSlice('\n')
		r.buf = append(r.buf, line...)
		if err == nil || !errors.Is(err, bufio.ErrBufferFull) {
			if len(r.buf) > r.Max {
				return nil, &LineTooLongError{Limit: r.Max}
			}
			return r.buf, err
		}
	}
	return nil, &LineTooLongError{Limit: r.Max, Partial: true}
}

// SkipLine discards input up to and including the next LF. It buffers
// nothing, however long the line is.
func (r *LineReader) SkipLine() error {
	for {
		_, err := r.R.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

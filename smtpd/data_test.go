package smtpd

import (
	"bufio"
	"bytes"
	"io"
	"net/textproto"
	"strings"
	"testing"
)

func TestReadData(t *testing.T) {
	tests := []struct {
		name, in, want, rest string // rest: what must follow the message unread
	}{
		{"simple", "a\r\nb\r\n.\r\nNEXT", "a\r\nb\r\n", "NEXT"},
		{"empty", ".\r\n", "", ""},
		{"unstuff", "..a\r\n.\r\n", ".a\r\n", ""},
		{"unstuff first line", ".hidden\r\n..\r\n.\r\n", "hidden\r\n.\r\n", ""},
		{"dot mid line kept", "a.b\r\n .\r\n.\r\n", "a.b\r\n .\r\n", ""},
		{"smuggle LF.LF", "a\n.\nMAIL\r\n.\r\n", "a\n.\nMAIL\r\n", ""},
		{"smuggle CRLF.LF", "a\r\n.\nMAIL\r\n.\r\n", "a\r\n\nMAIL\r\n", ""},
		{"smuggle LF.CRLF", "a\n.\r\nMAIL\r\n.\r\n", "a\n.\r\nMAIL\r\n", ""},
		{"smuggle CR.CRLF", "a\r.\r\nMAIL\r\n.\r\n", "a\r.\r\nMAIL\r\n", ""},
		{"smuggle CR.CR", "a\r\n.\r.\r\n.\r\n", "a\r\n\r.\r\n", ""},
		{"no trailing newline keeps reading", "a\r\n.x\r\n.\r\n", "a\r\nx\r\n", ""},
		{"8bit", "caf\xc3\xa9 \xff\x00\r\n.\r\n", "caf\xc3\xa9 \xff\x00\r\n", ""},
		{"long line", strings.Repeat("x", 100) + "\r\n.\r\n", strings.Repeat("x", 100) + "\r\n", ""},
		{"long stuffed line", "." + strings.Repeat(".", 100) + "\r\n.\r\n", strings.Repeat(".", 100) + "\r\n", ""},
		{"CRLF split by buffer", strings.Repeat("y", 15) + "\r\n.\r\n", strings.Repeat("y", 15) + "\r\n", ""},
		{"CR then LF at buffer edge", strings.Repeat("z", 16) + "\r\n..\r\n.\r\n", strings.Repeat("z", 16) + "\r\n.\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.in), 16)
			got, err := readData(br, nil, 1<<20)
			if err != nil || string(got) != tt.want {
				t.Fatalf("readData = %q, %v; want %q", got, err, tt.want)
			}
			rest, _ := io.ReadAll(br)
			if string(rest) != tt.rest {
				t.Errorf("left %q, want %q", rest, tt.rest)
			}
		})
	}
}

func TestReadDataErrors(t *testing.T) {
	// Over the limit: read to the end, then report, leaving what follows.
	br := bufio.NewReaderSize(strings.NewReader("0123456789\r\nabc\r\n.\r\nNOOP\r\n"), 16)
	if _, err := readData(br, nil, 10); err != errDataTooLarge {
		t.Fatalf("over limit: %v", err)
	}
	if rest, _ := io.ReadAll(br); string(rest) != "NOOP\r\n" {
		t.Errorf("after over-size message: %q", rest)
	}
	// Exactly at the limit is fine.
	br = bufio.NewReader(strings.NewReader("12345678\r\n.\r\n"))
	if got, err := readData(br, nil, 10); err != nil || len(got) != 10 {
		t.Fatalf("at limit: %q %v", got, err)
	}
	// Input that ends before CRLF.CRLF.
	for _, in := range []string{"", "abc", "abc\r\n", "abc\n.\n", "abc\r\n.\r"} {
		br = bufio.NewReader(strings.NewReader(in))
		if _, err := readData(br, nil, 100); err != io.ErrUnexpectedEOF {
			t.Errorf("readData(%q) = %v, want ErrUnexpectedEOF", in, err)
		}
	}
}

// dotEncode encodes msg as a client would send it after DATA.
func dotEncode(msg []byte) []byte {
	var b bytes.Buffer
	w := textproto.NewWriter(bufio.NewWriter(&b))
	dw := w.DotWriter()
	dw.Write(msg)
	dw.Close()
	return b.Bytes()
}

// FuzzReadData round-trips messages through textproto's DotWriter (a
// client's encoder) and readData, and feeds readData raw input.
func FuzzReadData(f *testing.F) {
	for _, s := range []string{"", "a", ".", "..\r\n", "a\r\n.\r\n", "\n.\n", "\r.\r\n", "x\r\n.y", "\r\r", strings.Repeat(".\r\n", 20)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		// Raw input: never panics; a message, if found, is no longer
		// than the input.
		br := bufio.NewReaderSize(bytes.NewReader(msg), 16)
		if got, err := readData(br, nil, 1<<20); err == nil && len(got) > len(msg) {
			t.Fatalf("readData(%q) = %q", msg, got)
		}
		// A message in CRLF form passes DotWriter unchanged but for the
		// stuffing, so readData must give it back exactly.
		want := canonical(msg)
		enc := dotEncode(want)
		br = bufio.NewReaderSize(bytes.NewReader(append(enc, "NEXT"...)), 16)
		got, err := readData(br, nil, 1<<20)
		if err != nil {
			t.Fatalf("readData(%q): %v", enc, err)
		}
		if len(want) == 0 {
			want = []byte("\r\n") // DotWriter's rendering of an empty message
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("encoded %q\ngot  %q\nwant %q", enc, got, want)
		}
		if rest, _ := io.ReadAll(br); string(rest) != "NEXT" {
			t.Fatalf("left %q", rest)
		}
	})
}

// canonical turns every bare CR and bare LF of msg into CRLF and ends a
// non-empty message with CRLF.
func canonical(msg []byte) []byte {
	var out []byte
	for i := 0; i < len(msg); i++ {
		switch c := msg[i]; {
		case c == '\r' && i+1 < len(msg) && msg[i+1] == '\n':
			out = append(out, '\r', '\n')
			i++
		case c == '\r' || c == '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, c)
		}
	}
	if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
		out = append(out, '\r', '\n')
	}
	return out
}

// TestDataRoundTrip sends messages over DATA and BDAT and checks the bytes
// stored are exactly the bytes meant.
func TestDataRoundTrip(t *testing.T) {
	msgs := []struct{ name, msg string }{
		{"plain", "Subject: x\r\n\r\nhello\r\n"},
		{"dot stuffing", "Subject: x\r\n\r\n.\r\n..\r\n. \r\n.x\r\nend\r\n"},
		{"first line dot", ".Subject: x\r\n\r\nbody\r\n"},
		{"long lines", "Subject: x\r\n\r\n" + strings.Repeat("L", 5000) + "\r\n" + strings.Repeat("M", 70000) + "\r\n"},
		{"8bit", "Subject: caf\xc3\xa9\r\n\r\n\xe2\x82\xac \x80\xfe\xff\r\n"},
		{"bare LF and CR in data", "a\nb\rc\r\n"},
	}
	_, store, addr := startServer(t, nil)
	c := dial(t, addr)
	for _, m := range msgs {
		c.expect("MAIL FROM:<a@x> BODY=8BITMIME\r\nRCPT TO:<b@x>\r\nDATA\r\n",
			"250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
		c.expect(string(dotEncodeRaw(m.msg))+".\r\n", "250 2.0.0 OK: queued\r\n")
		if got := string(store.last(t).raw); got != m.msg {
			t.Errorf("%s over DATA: stored %q", m.name, trunc(got))
		}
		c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\n"+bdatChunks(m.msg, 1000),
			"250 2.1.0 OK\r\n250 2.1.5 OK\r\n"+strings.Repeat(replyChunkOK, (len(m.msg)-1)/1000)+"250 2.0.0 OK: queued\r\n")
		if got := string(store.last(t).raw); got != m.msg {
			t.Errorf("%s over BDAT: stored %q", m.name, trunc(got))
		}
	}
	// Over BDAT a message may end without CRLF; it is stored as sent.
	c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 9\r\nSubject: BDAT 8 LAST\r\nno crlf.",
		"250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 Chunk received\r\n250 2.0.0 OK: queued\r\n")
	if got := string(store.last(t).raw); got != "Subject: no crlf." {
		t.Errorf("stored %q", got)
	}
}

// dotEncodeRaw stuffs leading dots only, leaving line endings alone.
func dotEncodeRaw(msg string) []byte {
	var b []byte
	bol := true
	for i := 0; i < len(msg); i++ {
		if bol && msg[i] == '.' {
			b = append(b, '.')
		}
		b = append(b, msg[i])
		bol = msg[i] == '\n' && i > 0 && msg[i-1] == '\r'
	}
	return b
}

// bdatChunks splits msg into BDAT commands of at most n bytes.
func bdatChunks(msg string, n int) string {
	var b strings.Builder
	for {
		chunk := msg[:min(n, len(msg))]
		msg = msg[len(chunk):]
		b.WriteString("BDAT " + itoa(len(chunk)))
		if len(msg) == 0 {
			b.WriteString(" LAST\r\n" + chunk)
			return b.String()
		}
		b.WriteString("\r\n" + chunk)
	}
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + string(appendInt(nil, n))) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func trunc(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

func TestDataTooLarge(t *testing.T) {
	_, store, addr := startServer(t, func(s *Server) { s.MaxMessageSize = 100 })
	big := strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz\r\n", 100)
	play(t, addr, []step{
		// No SIZE= given: the message is read to its end, refused, and the
		// session goes on; a smuggled command inside is not run.
		{"MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n", "250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n"},
		{big + "\n.\nRSET\r\n" + big + ".\r\n", "552 5.3.4 Message size exceeds fixed limit\r\n"},
		{"RCPT TO:<b@x>\r\n", "503 5.5.1 Need MAIL first\r\n"},
		{"MAIL FROM:<a@x> SIZE=101\r\n", "552 5.3.4 Message size exceeds fixed limit\r\n"},
		{"MAIL FROM:<a@x> SIZE=100\r\nRCPT TO:<b@x>\r\nBDAT 60\r\n" + big[:60] + "BDAT 41 LAST\r\n" + big[:41] + "BDAT 6 LAST\r\nRSET\r\n",
			"250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 Chunk received\r\n552 5.3.4 Message size exceeds fixed limit; transaction reset\r\n503 5.5.1 No transaction for BDAT\r\n"},
		{"MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 100 LAST\r\n" + big[:100], "250 2.1.0 OK\r\n250 2.1.5 OK\r\n250 2.0.0 OK: queued\r\n"},
	})
	if all := store.all(); len(all) != 1 || len(all[0].raw) != 100 {
		t.Fatalf("stored %d messages", len(all))
	}
}

func TestBdatSequence(t *testing.T) {
	const (
		mailRcpt = "MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\n"
		ok2      = "250 2.1.0 OK\r\n250 2.1.5 OK\r\n"
		chunkOK  = "250 2.0.0 Chunk received\r\n"
		noTx     = "503 5.5.1 No transaction for BDAT\r\n"
		syntax   = "501 5.5.4 Syntax: BDAT size [LAST]"
		reset    = "; transaction reset\r\n"
	)
	_, store, addr := startServer(t, nil)
	play(t, addr, []step{
		// Refused chunks are still read: their bytes never run as commands.
		{"BDAT 6\r\nRSET\r\n", noTx},
		{"BDAT 6 NOW\r\nQUIT\r\n", syntax + "\r\n"}, // no transaction: nothing to reset
		{"BDAT x\r\n", syntax + "\r\n"},
		{"BDAT\r\n", syntax + "\r\n"},
		// A refused BDAT ends the transaction (RFC 3030 2), and the chunks
		// pipelined behind it are refused and drained...
		{"MAIL FROM:<a@x>\r\nBDAT 6 LAST\r\nQUIT\r\n", "250 2.1.0 OK\r\n503 5.5.1 Need RCPT first" + reset},
		{"RCPT TO:<b@x>\r\n", "503 5.5.1 Need MAIL first\r\n"},
		{mailRcpt + "BDAT 3 NOW\r\nabcBDAT 3 LAST\r\ndef", ok2 + syntax + reset + noTx},
		// ...so the chunks around a refused one are never joined.
		{mailRcpt + "BDAT 3\r\nabc", ok2 + chunkOK},
		{"BDAT 3 NOW\r\nxyzBDAT 3 LAST\r\ndef", syntax + reset + noTx},
		{mailRcpt + "BDAT 3\r\nabc", ok2 + chunkOK},
		{"BDAT x\r\nBDAT 3 LAST\r\ndef", syntax + reset + noTx},
		// Any refusal while chunking ends the transaction.
		{mailRcpt + "BDAT 3\r\none", ok2 + chunkOK},
		{"DATA\r\nBDAT 3 LAST\r\ntwo", "503 5.5.1 DATA not allowed after BDAT" + reset + noTx},
		{mailRcpt + "BDAT 3\r\none", ok2 + chunkOK},
		{"FOO\r\nBDAT 3 LAST\r\ntwo", "500 5.5.1 Command unrecognized" + reset + noTx},
		{mailRcpt + "BDAT 3\r\none", ok2 + chunkOK},
		{"NOOP " + strings.Repeat("x", maxCommandLine) + "\r\nBDAT 3 LAST\r\ntwo", "500 5.5.2 Line too long" + reset + noTx},
		{mailRcpt + "BDAT 3\r\none", ok2 + chunkOK},
		{"NOOP " + strings.Repeat("x", maxAuthLine) + "\r\nBDAT 3 LAST\r\ntwo", "500 5.5.2 Line too long" + reset + noTx},
		// Commands that succeed keep the transaction.
		{mailRcpt + "BDAT 3\r\none", ok2 + chunkOK},
		{"NOOP\r\nBDAT 0\r\n", "250 2.0.0 OK\r\n" + chunkOK},
		{"BDAT 3 last\r\ntwo", "250 2.0.0 OK: queued\r\n"},
	})
	all := store.all()
	if len(all) != 1 || string(all[0].raw) != "onetwo" {
		t.Fatalf("stored %+v", all)
	}
	// The transcript is this transaction's alone: nothing of the aborted
	// ones, not even their last reply.
	if want := "C: MAIL FROM:<a@x>\r\nS: 250 2.1.0 OK\r\nC: RCPT TO:<b@x>\r\nS: 250 2.1.5 OK\r\n" +
		"C: BDAT 3\r\nS: 250 2.0.0 Chunk received\r\nC: NOOP\r\nS: 250 2.0.0 OK\r\n" +
		"C: BDAT 0\r\nS: 250 2.0.0 Chunk received\r\nC: BDAT 3 last\r\nS: 250 2.0.0 OK: queued\r\n"; all[0].env.Transcript != want {
		t.Errorf("transcript\n%s\nwant\n%s", all[0].env.Transcript, want)
	}
}

// TestDeclaredSizePrealloc: a declared size, SIZE= or a BDAT chunk's,
// allocates at most 256 KiB before the bytes arrive, however large it is.
func TestDeclaredSizePrealloc(t *testing.T) {
	const limit = 256 << 10
	c := &conn{}
	c.tx.sizeHint = 25 << 20
	if n := cap(c.messageBuffer()); n > limit {
		t.Errorf("SIZE=%d preallocates %d bytes", c.tx.sizeHint, n)
	}
	c.br = bufio.NewReader(strings.NewReader("ten bytes!"))
	if err := c.readChunk(25 << 20); err != io.ErrUnexpectedEOF {
		t.Errorf("readChunk = %v", err)
	}
	if n := cap(c.tx.body); n > limit {
		t.Errorf("BDAT %d of 10 bytes allocated %d bytes", 25<<20, n)
	}
}

// TestSmuggling sends, inside one DATA, each end-of-data look-alike
// followed by a whole second transaction: only CRLF.CRLF ends DATA, so the
// second transaction must arrive as data of the first message.
func TestSmuggling(t *testing.T) {
	_, store, addr := startServer(t, nil)
	c := dial(t, addr)
	inner := "MAIL FROM:<smuggled@x>\r\nRCPT TO:<victim@x>\r\nDATA\r\nSubject: smuggled\r\n"
	for _, fake := range []string{"\n.\n", "\r\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r", "\r\n\x00.\r\n"} {
		c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n",
			"250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
		c.expect("Subject: real\r\n\r\nbody"+fake+inner+"\r\n.\r\n", "250 2.0.0 OK: queued\r\n")
		d := store.last(t)
		if d.env.MailFrom != "a@x" || !strings.Contains(string(d.raw), "MAIL FROM:<smuggled@x>") {
			t.Errorf("%q: stored %+v %q", fake, d.env, d.raw)
		}
	}
	if n := len(store.all()); n != 6 {
		t.Errorf("%d messages stored, want 6", n)
	}
}

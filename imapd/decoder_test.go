package imapd

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"intray/internal/srvkit"
)

// decodeAll runs the decoder over input until it fails, as a session
// would, and returns the requests.
func decodeAll(input []byte) ([]*request, error) {
	br := bufio.NewReader(bytes.NewReader(input))
	d := decoder{
		lr:        srvkit.LineReader{R: br, Max: maxLine},
		cont:      func() error { return nil },
		arm:       func() error { return nil },
		appendMax: 1 << 20,
		state:     new(stateAuth),
	}
	var out []*request
	for {
		req, err := d.read()
		var re *respError
		switch {
		case err == nil:
			out = append(out, req)
		case errors.As(err, &re) && !re.fatal:
		default:
			return out, err
		}
	}
}

func TestDecoder(t *testing.T) {
	in := "a1 LOGIN {3}\r\nbob \"p\\\"w\"\r\n" +
		"a2 UID FETCH 1:*,3 (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100>)\r\n" +
		"a3 APPEND INBOX (\\Seen) {5+}\r\nhello\r\n" +
		"a4 BAD \"unterminated {3+}\r\nabc\r\n" +
		"a5 NOOP\r\n"
	reqs, _ := decodeAll([]byte(in))
	if len(reqs) != 4 {
		t.Fatalf("decoded %d requests", len(reqs))
	}
	if r := reqs[0]; r.name != "LOGIN" || r.args[0].str() != "bob" || r.args[1].s != `p"w` {
		t.Errorf("LOGIN: %+v", r.args)
	}
	if r := reqs[1]; !r.uid || r.name != "FETCH" || r.args[0].s != "1:*,3" || r.args[1].list[1].s != "BODY.PEEK[HEADER.FIELDS (From To)]<0.100>" {
		t.Errorf("UID FETCH: %+v", r)
	}
	if r := reqs[2]; string(r.args[2].lit) != "hello" {
		t.Errorf("APPEND: %+v", r.args)
	}
	if reqs[3].name != "NOOP" {
		t.Errorf("the literal of a bad command was not skipped: %+v", reqs[3])
	}
}

func TestParseSeqSet(t *testing.T) {
	v := &view{}
	for u := uint32(1); u <= 10; u++ {
		v.entries = append(v.entries, entryUID(u*2))
	}
	for _, tc := range []struct {
		set  string
		uid  bool
		want []int
	}{
		{"1", false, []int{0}},
		{"3:1", false, []int{0, 1, 2}},
		{"*", false, []int{9}},
		{"9:*,1,2:3", false, []int{0, 1, 2, 8, 9}},
		{"4:6", true, []int{1, 2}},
		{"100:*", true, []int{9}},
		{"3,5,7", true, nil},
	} {
		set, err := parseSeqSet(tc.set)
		if err != nil {
			t.Fatal(err)
		}
		got, err := v.resolve(set, tc.uid)
		if err != nil || !equalInts(got, tc.want) {
			t.Errorf("%s uid=%v: %v %v, want %v", tc.set, tc.uid, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "0", "1:", "a", "1,,2", "-1"} {
		if _, err := parseSeqSet(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	set, _ := parseSeqSet("11")
	if _, err := v.resolve(set, false); err == nil {
		t.Error("sequence number beyond the mailbox accepted")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMatchPattern(t *testing.T) {
	for _, tc := range []struct {
		pat, name string
		want      bool
	}{
		{"*", "a/b/c", true}, {"%", "a/b", false}, {"a/%", "a/b", true}, {"a/%", "a/b/c", false},
		{"a*c", "a/b/c", true}, {"a%c", "abc", true}, {"INBOX", "INBOX", true}, {"", "x", false},
	} {
		if got := matchPattern(tc.pat, tc.name); got != tc.want {
			t.Errorf("match(%q, %q) = %v", tc.pat, tc.name, got)
		}
	}
}

// FuzzParseCommand checks that the decoder and the argument parsers never
// panic and never loop, whatever the input.
func FuzzParseCommand(f *testing.F) {
	for _, seed := range []string{
		"a1 LOGIN bob pw\r\n",
		"a UID FETCH 1:*,7 (FLAGS BODY[1.2.HEADER.FIELDS (A \"B\")]<1.2> RFC822)\r\n",
		"a SEARCH CHARSET UTF-8 OR (FROM x NOT TO {1+}\r\ny) UID 1:5 SINCE 1-Feb-2024\r\n",
		"a APPEND INBOX (\\Seen) \" 1-Jan-2024 00:00:00 +0000\" {3}\r\nabc\r\n",
		"a STORE 1 +FLAGS.SILENT \\Seen $x\r\n",
		"a LIST \"\" %/*\r\n",
		"((((((\r\n",
		"a {99999999+}\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		reqs, _ := decodeAll(input)
		for _, r := range reqs {
			exerciseParsers(r)
		}
	})
}

// exerciseParsers runs every argument parser over a request's arguments.
func exerciseParsers(r *request) {
	v := &view{}
	for u := uint32(1); u <= 5; u++ {
		v.entries = append(v.entries, entryUID(u))
	}
	_, _ = parseSearch(r.reader())
	for i := range r.args {
		a := &r.args[i]
		_, _ = parseFetch(a, true)
		if set, err := parseSeqSet(a.s); err == nil {
			_, _ = v.resolve(set, false)
			_, _ = v.resolve(set, true)
		}
		if a.kind == argList {
			_, _, _ = parseFlags(a.list)
		}
		_, _ = parseDateTime(a.s)
		_ = matchPattern(a.str(), "INBOX/a/b")
	}
}

// TestAppendLiteralBeforeLogin: before login an APPEND literal is held to
// the buffered-literal bound (refused before the continuation request),
// after login to MaxLiteral.
func TestAppendLiteralBeforeLogin(t *testing.T) {
	env := newEnv(t)
	r := env.raw()
	r.line()
	big := strconv.Itoa(maxBufferedLiteral + 1)
	r.send("a1 APPEND INBOX {" + big + "}\r\n")
	if got := r.line(); got != "a1 BAD [TOOBIG] Literal too large\r\n" {
		t.Errorf("APPEND before login: %q", got)
	}
	r.cmd("a2", "LOGIN bob@example.com x")
	r.send("a3 APPEND INBOX {" + big + "}\r\n")
	if got := r.line(); !strings.HasPrefix(got, "+ ") {
		t.Fatalf("APPEND after login: %q", got)
	}
	r.send(strings.Repeat("x", maxBufferedLiteral+1) + "\r\n")
	if got := r.until("a3 "); !strings.HasPrefix(got, "a3 OK [APPENDUID ") {
		t.Errorf("APPEND after login: %q", got)
	}
}

// TestLiteralGrowsAsItArrives: announcing a large literal and sending a
// few bytes does not make the decoder allocate the announced size.
func TestLiteralGrowsAsItArrives(t *testing.T) {
	const n = 20 << 20
	in := "a1 APPEND INBOX {" + strconv.Itoa(n) + "+}\r\nFrom: a@b\r\n\r\nshort"
	d := decoder{
		lr:        srvkit.LineReader{R: bufio.NewReader(strings.NewReader(in)), Max: maxLine},
		cont:      func() error { return nil },
		arm:       func() error { return nil },
		appendMax: 32 << 20,
		state:     new(stateAuth),
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := d.read()
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read: %v, want unexpected EOF", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > n/8 {
		t.Errorf("allocated %d bytes for a literal of which a few arrived", got)
	}
}

func TestReadLiteral(t *testing.T) {
	for _, n := range []int{0, 1, literalChunk - 1, literalChunk, literalChunk + 1, 5*literalChunk + 3} {
		src := bytes.Repeat([]byte("abcdefg"), n/7+1)[:n]
		got, err := readLiteral(iotest.OneByteReader(bytes.NewReader(append(src, "tail"...))), int64(n))
		if err != nil || !bytes.Equal(got, src) || cap(got) > n {
			t.Errorf("n=%d: len %d cap %d err %v", n, len(got), cap(got), err)
		}
	}
}

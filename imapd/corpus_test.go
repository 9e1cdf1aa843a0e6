package imapd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// The corpus test: every message under testdata/corpus is stored twice
// (by Store.Add, as SMTP delivers, and by APPEND through go-imap's client)
// and fetched back through the server with go-imap's client: ENVELOPE,
// BODYSTRUCTURE, RFC822.SIZE, BODY.PEEK[HEADER] and [TEXT], and for every
// part BODY.PEEK[n] and [n.MIME], plus [n.HEADER] and [n.TEXT] for
// message/rfc822 parts. Each is compared with a table written by hand
// from the message text and RFC 3501 7.4.2 (corpus_table_test.go). The
// server's bytes for FETCH (ENVELOPE BODY BODYSTRUCTURE) are golden files
// next to the messages.

// chunk is an expected section, written with LF line endings (the corpus
// files use LF; the store keeps CRLF). It must be an exact slice of the
// stored message: lit is found verbatim; a span runs from the first
// occurrence of from to the end of the first occurrence of to after it
// (to "" means the end of the message). The zero chunk is not checked.
type chunk struct{ lit, from, to string }

func lit(s string) chunk              { return chunk{lit: s} }
func between(from, to string) chunk   { return chunk{from: from, to: to} }
func (c chunk) isZero() bool          { return c == chunk{} }
func crlf(s string) string            { return strings.ReplaceAll(s, "\n", "\r\n") }
func (c chunk) String() string        { return fmt.Sprintf("%q..%q", c.from, c.to) }
func empty() chunk                    { return chunk{lit: "\x00empty"} }
func (c chunk) isEmptyMarker() bool   { return c.lit == "\x00empty" }
func lines(b []byte) int64            { return int64(bytes.Count(b, []byte{'\n'})) }
func sizeOf(b []byte) uint32          { return uint32(len(b)) }
func secName(sec, spec string) string { return strings.Trim(sec+"."+spec, ".") }

// resolve returns the slice of raw that c names.
func (c chunk) resolve(t *testing.T, raw []byte) []byte {
	t.Helper()
	if c.isEmptyMarker() {
		return []byte{}
	}
	if c.lit != "" {
		want := []byte(crlf(c.lit))
		i := bytes.Index(raw, want)
		if i < 0 {
			t.Fatalf("expected chunk %q is not in the message", c.lit)
		}
		return raw[i : i+len(want)]
	}
	from := []byte(crlf(c.from))
	i := bytes.Index(raw, from)
	if i < 0 {
		t.Fatalf("span start %q is not in the message", c.from)
	}
	if c.to == "" {
		return raw[i:]
	}
	to := []byte(crlf(c.to))
	j := bytes.Index(raw[i:], to)
	if j < 0 {
		t.Fatalf("span end %q is not in the message after %q", c.to, c.from)
	}
	return raw[i : i+j+len(to)]
}

// wantMsg is what a message (the stored one, or one encapsulated in a
// message/rfc822 part) must show: its envelope, BODY[HEADER], BODY[TEXT].
type wantMsg struct {
	env          imap.Envelope
	header, text chunk
}

// wantPart is one body part as go-imap's client decodes it: strings as the
// server sent them (upper-case types, as imapmsg renders them), parameter
// names lower-cased and RFC 2047 values decoded by the client.
type wantPart struct {
	sec     string // IMAP part number; "" for a multipart message's root
	typ     string // "TEXT/PLAIN", "MULTIPART/MIXED"
	params  map[string]string
	id      string
	desc    string
	enc     string
	size    uint32 // octets of the encoded body; must equal len(body)
	lines   int64  // TEXT and MESSAGE/RFC822: LF count of the body; -1 otherwise
	disp    string // disposition type as sent, "" for NIL
	dparams map[string]string
	lang    []string
	loc     string
	body    chunk    // BODY[sec]
	mime    chunk    // BODY[sec.MIME]
	msg     *wantMsg // MESSAGE/RFC822: the encapsulated message
}

// corpusCase is one message of the corpus and its expectations.
type corpusCase struct {
	file  string
	msg   wantMsg
	parts []wantPart // depth first, message/rfc822 contents included
}

// corpusRaw reads a corpus message with CRLF line endings, as stored.
func corpusRaw(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus", file))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	if len(files) != len(corpus) {
		t.Errorf("%d corpus files, %d table entries", len(files), len(corpus))
	}
	env := newEnv(t)
	c := env.client("corpus@example.com")
	if err := c.Create("Corpus", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range corpus {
		raw := corpusRaw(t, tc.file)
		env.add(string(raw), "corpus@example.com")
		appendRaw(t, c, "Corpus", raw)
	}
	for _, mailbox := range []string{"INBOX", "Corpus"} {
		if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			t.Fatal(err)
		}
		for i, tc := range corpus {
			t.Run(mailbox+"/"+tc.file, func(t *testing.T) {
				checkCorpusMessage(t, c, uint32(i+1), tc)
			})
		}
	}
}

func appendRaw(t *testing.T, c *imapclient.Client, mailbox string, raw []byte) {
	t.Helper()
	cmd := c.Append(mailbox, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

// checkCorpusMessage fetches message seq and compares it with tc.
func checkCorpusMessage(t *testing.T, c *imapclient.Client, seq uint32, tc corpusCase) {
	raw := corpusRaw(t, tc.file)
	sections := []*imap.FetchItemBodySection{
		{Specifier: imap.PartSpecifierHeader, Peek: true},
		{Specifier: imap.PartSpecifierText, Peek: true},
	}
	for _, p := range tc.parts {
		if !numbered(p.sec) {
			continue
		}
		part := sectionPath(t, p.sec)
		sections = append(sections,
			&imap.FetchItemBodySection{Part: part, Peek: true},
			&imap.FetchItemBodySection{Part: part, Specifier: imap.PartSpecifierMIME, Peek: true})
		if p.msg != nil {
			sections = append(sections,
				&imap.FetchItemBodySection{Part: part, Specifier: imap.PartSpecifierHeader, Peek: true},
				&imap.FetchItemBodySection{Part: part, Specifier: imap.PartSpecifierText, Peek: true})
		}
	}
	msgs, err := c.Fetch(imap.SeqSetNum(seq), &imap.FetchOptions{
		Envelope: true, RFC822Size: true, Flags: true,
		BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		BodySection:   sections,
	}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d FETCH responses", len(msgs))
	}
	m := msgs[0]
	if m.RFC822Size != int64(len(raw)) {
		t.Errorf("RFC822.SIZE %d, want %d", m.RFC822Size, len(raw))
	}
	if slices.Contains(m.Flags, imap.FlagSeen) {
		t.Errorf("BODY.PEEK set \\Seen")
	}
	checkEnvelope(t, "ENVELOPE", m.Envelope, &tc.msg.env)
	checkSection(t, m, raw, "HEADER", &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader}, tc.msg.header)
	checkSection(t, m, raw, "TEXT", &imap.FetchItemBodySection{Specifier: imap.PartSpecifierText}, tc.msg.text)
	got := flattenStructure(m.BodyStructure, "", "")
	if len(got) != len(tc.parts) {
		var secs []string
		for _, g := range got {
			secs = append(secs, g.sec+"="+g.bs.MediaType())
		}
		t.Fatalf("%d parts %v, want %d", len(got), secs, len(tc.parts))
	}
	for i := range tc.parts {
		want := &tc.parts[i]
		if got[i].sec != want.sec {
			t.Errorf("part %d is section %q, want %q", i, got[i].sec, want.sec)
			continue
		}
		checkPart(t, m, raw, got[i].bs, want)
	}
}

// sectionPath turns "2.1" into []int{2, 1}.
func sectionPath(t *testing.T, sec string) []int {
	var out []int
	for _, s := range strings.Split(sec, ".") {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("bad section %q", sec)
		}
		out = append(out, n)
	}
	return out
}

// flatPart is one body structure with its section number.
type flatPart struct {
	sec string
	bs  imap.BodyStructure
}

// flattenStructure lists bs depth first, descending into message/rfc822
// parts, which go-imap's Walk does not do. label names bs itself: "" for
// the message's root multipart, "N.TEXT" for the multipart body of the
// message/rfc822 part N (it has no part number of its own: RFC 3501
// 6.4.5), a part number otherwise. Children are numbered under base.
func flattenStructure(bs imap.BodyStructure, label, base string) []flatPart {
	switch bs := bs.(type) {
	case *imap.BodyStructureMultiPart:
		out := []flatPart{{label, bs}}
		for i, c := range bs.Children {
			n := strconv.Itoa(i + 1)
			if base != "" {
				n = base + "." + n
			}
			out = append(out, flattenStructure(c, n, n)...)
		}
		return out
	case *imap.BodyStructureSinglePart:
		if label == "" {
			label = "1" // a single-part message's body is part 1
		}
		out := []flatPart{{label, bs}}
		if bs.MessageRFC822 != nil && bs.MessageRFC822.BodyStructure != nil {
			inner := bs.MessageRFC822.BodyStructure
			if _, multi := inner.(*imap.BodyStructureMultiPart); multi {
				out = append(out, flattenStructure(inner, label+".TEXT", label)...)
			} else {
				out = append(out, flattenStructure(inner, label+".1", label+".1")...)
			}
		}
		return out
	}
	return nil
}

// numbered reports whether a table entry has a part number of its own,
// that is, sections BODY[n] and BODY[n.MIME] to fetch.
func numbered(sec string) bool { return sec != "" && !strings.HasSuffix(sec, ".TEXT") }

// checkPart compares one body structure and its sections with want.
func checkPart(t *testing.T, m *imapclient.FetchMessageBuffer, raw []byte, bs imap.BodyStructure, want *wantPart) {
	t.Helper()
	name := "part " + want.sec
	if want.sec == "" {
		name = "root"
	}
	var body []byte
	if !want.body.isZero() {
		body = want.body.resolve(t, raw)
	}
	switch bs := bs.(type) {
	case *imap.BodyStructureMultiPart:
		if got := "MULTIPART/" + bs.Subtype; got != want.typ {
			t.Errorf("%s: type %s, want %s", name, got, want.typ)
		}
		ext := bs.Extended
		if ext == nil {
			t.Fatalf("%s: no extension data", name)
		}
		checkMap(t, name+" params", ext.Params, want.params)
		checkExt(t, name, ext.Disposition, ext.Language, ext.Location, want)
	case *imap.BodyStructureSinglePart:
		checkSinglePart(t, name, bs, want, body)
	}
	if !numbered(want.sec) {
		return // a multipart message body: its BODY[TEXT] is checked
	}
	part := sectionPath(t, want.sec)
	checkSection(t, m, raw, want.sec, &imap.FetchItemBodySection{Part: part}, want.body)
	checkSection(t, m, raw, secName(want.sec, "MIME"), &imap.FetchItemBodySection{Part: part, Specifier: imap.PartSpecifierMIME}, want.mime)
	if want.msg != nil {
		checkSection(t, m, raw, secName(want.sec, "HEADER"), &imap.FetchItemBodySection{Part: part, Specifier: imap.PartSpecifierHeader}, want.msg.header)
		checkSection(t, m, raw, secName(want.sec, "TEXT"), &imap.FetchItemBodySection{Part: part, Specifier: imap.PartSpecifierText}, want.msg.text)
	}
}

func checkSinglePart(t *testing.T, name string, bs *imap.BodyStructureSinglePart, want *wantPart, body []byte) {
	t.Helper()
	if got := bs.Type + "/" + bs.Subtype; got != want.typ {
		t.Errorf("%s: type %s, want %s", name, got, want.typ)
	}
	checkMap(t, name+" params", bs.Params, want.params)
	if bs.ID != want.id || bs.Description != want.desc || bs.Encoding != want.enc {
		t.Errorf("%s: id %q description %q encoding %q, want %q %q %q", name, bs.ID, bs.Description, bs.Encoding, want.id, want.desc, want.enc)
	}
	if bs.Size != want.size {
		t.Errorf("%s: size %d, want %d", name, bs.Size, want.size)
	}
	if body != nil && sizeOf(body) != want.size {
		t.Errorf("%s: the table's size %d is not the length %d of its body chunk", name, want.size, len(body))
	}
	gotLines := int64(-1)
	switch {
	case bs.Text != nil:
		gotLines = bs.Text.NumLines
	case bs.MessageRFC822 != nil:
		gotLines = bs.MessageRFC822.NumLines
		if want.msg == nil {
			t.Fatalf("%s: unexpected MESSAGE/RFC822 data", name)
		}
		checkEnvelope(t, name+" envelope", bs.MessageRFC822.Envelope, &want.msg.env)
	}
	if gotLines != want.lines {
		t.Errorf("%s: lines %d, want %d", name, gotLines, want.lines)
	}
	if body != nil && want.lines >= 0 && lines(body) != want.lines {
		t.Errorf("%s: the table's lines %d is not the LF count %d of its body chunk", name, want.lines, lines(body))
	}
	if bs.Extended == nil {
		t.Fatalf("%s: no extension data", name)
	}
	checkExt(t, name, bs.Extended.Disposition, bs.Extended.Language, bs.Extended.Location, want)
}

func checkExt(t *testing.T, name string, dsp *imap.BodyStructureDisposition, lang []string, loc string, want *wantPart) {
	t.Helper()
	switch {
	case dsp == nil && want.disp != "":
		t.Errorf("%s: disposition NIL, want %s", name, want.disp)
	case dsp != nil && dsp.Value != want.disp:
		t.Errorf("%s: disposition %q, want %q", name, dsp.Value, want.disp)
	case dsp != nil:
		checkMap(t, name+" disposition params", dsp.Params, want.dparams)
	}
	if !slices.Equal(lang, want.lang) || loc != want.loc {
		t.Errorf("%s: language %q location %q, want %q %q", name, lang, loc, want.lang, want.loc)
	}
}

func checkMap(t *testing.T, name string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %q, want %q", name, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", name, got, want)
			return
		}
	}
}

// checkSection compares a fetched section with the expected slice of raw.
func checkSection(t *testing.T, m *imapclient.FetchMessageBuffer, raw []byte, name string, sec *imap.FetchItemBodySection, want chunk) {
	t.Helper()
	if want.isZero() {
		t.Errorf("BODY[%s]: no expectation in the table", name)
		return
	}
	sec.Peek = true
	got := m.FindBodySection(sec)
	if got == nil {
		t.Errorf("BODY[%s] missing from the response", name)
		return
	}
	if exp := want.resolve(t, raw); !bytes.Equal(got, exp) {
		t.Errorf("BODY[%s] = %q\nwant %q", name, got, exp)
	}
}

// checkEnvelope compares envelopes; nil and empty lists are the same.
func checkEnvelope(t *testing.T, name string, got, want *imap.Envelope) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: missing", name)
		return
	}
	if !got.Date.Equal(want.Date) || got.Subject != want.Subject || got.MessageID != want.MessageID ||
		!slices.Equal(got.InReplyTo, want.InReplyTo) {
		t.Errorf("%s: date %v subject %q message-id %q in-reply-to %q,\nwant %v %q %q %q", name,
			got.Date, got.Subject, got.MessageID, got.InReplyTo, want.Date, want.Subject, want.MessageID, want.InReplyTo)
	}
	for _, l := range []struct {
		field     string
		got, want []imap.Address
	}{
		{"from", got.From, want.From}, {"sender", got.Sender, want.Sender}, {"reply-to", got.ReplyTo, want.ReplyTo},
		{"to", got.To, want.To}, {"cc", got.Cc, want.Cc}, {"bcc", got.Bcc, want.Bcc},
	} {
		if !slices.Equal(l.got, l.want) {
			t.Errorf("%s %s: %q, want %q", name, l.field, l.got, l.want)
		}
	}
}

// TestCorpusGolden keeps the server's exact bytes for FETCH (ENVELOPE
// BODY BODYSTRUCTURE) of every corpus message in testdata/corpus/NAME.golden.
func TestCorpusGolden(t *testing.T) {
	env := newEnv(t)
	for _, tc := range corpus {
		env.add(string(corpusRaw(t, tc.file)), "corpus@example.com")
	}
	r := env.raw()
	r.line()
	r.cmd("a", "LOGIN corpus@example.com x")
	r.cmd("b", "EXAMINE INBOX")
	for i, tc := range corpus {
		cmd := "FETCH " + strconv.Itoa(i+1) + " (ENVELOPE BODY BODYSTRUCTURE)"
		out := "C: c " + cmd + "\n" + prefixRaw("S: ", r.cmd("c", cmd))
		golden(t, filepath.Join("testdata", "corpus", strings.TrimSuffix(tc.file, ".eml")+".golden"), out)
	}
}

// prefixRaw prefixes every line of s and turns CRLF into LF; unlike
// prefixLines it never abbreviates.
func prefixRaw(prefix, s string) string {
	var sb strings.Builder
	for line := range strings.Lines(s) {
		sb.WriteString(prefix)
		sb.WriteString(strings.ReplaceAll(line, "\r\n", "\n"))
	}
	return sb.String()
}

// Helpers for the tables.

func addr(name, mailbox, host string) imap.Address {
	return imap.Address{Name: name, Mailbox: mailbox, Host: host}
}

func addrs(a ...imap.Address) []imap.Address { return a }

func date(s string) time.Time {
	t, err := time.Parse(time.RFC1123Z, s)
	if err != nil {
		panic(err)
	}
	return t
}

func params(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

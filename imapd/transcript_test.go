package imapd

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// step is one exchange of a transcript: bytes sent and the prefix of the
// line that ends the server's answer ("" means the tag of the first line
// sent; "+" a continuation request; "EOF" the end of the connection).
type step struct {
	send, until string
}

// s builds a step that waits for its own tag.
func s(send string) step { return step{send: send} }

// transcripts are byte-level sessions compared to testdata/NAME.golden.
var transcripts = map[string][]step{
	"login": {
		s("a1 CAPABILITY\r\n"),
		s("a2 NOOP\r\n"),
		s(`a3 LOGIN "b\"o\\b" "any password"` + "\r\n"),
		s("a4 CAPABILITY\r\n"),
		s("a5 LOGOUT\r\n"),
	},
	"authenticate": {
		{send: "a1 AUTHENTICATE PLAIN\r\n", until: "+"},
		{send: "AGJvYkBleGFtcGxlLmNvbQBwdw==\r\n", until: "a1 "},
		s("a2 LOGOUT\r\n"),
	},
	"literals": {
		{send: "a1 LOGIN {15}\r\n", until: "+"},
		{send: "bob@example.com {2+}\r\npw\r\n", until: "a1 "},
		{send: "a2 APPEND INBOX (\\Seen $Work) \" 5-Mar-2024 08:09:10 +0100\" {" + strconv.Itoa(len(simpleMsg)) + "}\r\n", until: "+"},
		{send: simpleMsg + "\r\n", until: "a2 "},
		s("a3 APPEND Sent {" + strconv.Itoa(len(simpleMsg)) + "+}\r\n" + simpleMsg + "\r\n"),
		s("a4 SELECT INBOX\r\n"),
		s("a5 FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)\r\n"),
		s("a6 SEARCH CHARSET UTF-8 SUBJECT {5+}\r\nhello\r\n"),
		s(`a7 SEARCH SUBJECT "Hel\"lo"` + "\r\n"),
		s("a8 LOGOUT\r\n"),
	},
	"fetch": {
		s("a1 LOGIN bob@example.com x\r\n"),
		s("a2 EXAMINE INBOX\r\n"),
		s("a3 FETCH 1 (BODY.PEEK[]<0.10> BODY.PEEK[HEADER.FIELDS (Subject \"To\")] BODY.PEEK[TEXT]<5.100>)\r\n"),
		s("a4 FETCH 1 (BODY.PEEK[1] BODY.PEEK[HEADER.FIELDS.NOT (Subject To From Date)] BODY.PEEK[1.MIME])\r\n"),
		s("a5 FETCH 1 (RFC822.HEADER RFC822.TEXT)\r\n"),
		s("a6 FETCH 1 FULL\r\n"),
		s("a7 FETCH 1 FAST\r\n"),
		s("a8 UID FETCH 1:* ALL\r\n"),
		s("a9 FETCH 1 RFC822\r\n"),
		s("b1 FETCH 1 BODY.PEEK[]<999.10>\r\n"),
		s("b2 LOGOUT\r\n"),
	},
	"mailboxes": {
		s("a1 LOGIN bob@example.com x\r\n"),
		s(`a2 LIST "" ""` + "\r\n"),
		s("a3 CREATE Work/Projects/Alpha\r\n"),
		s(`a4 LIST "" %` + "\r\n"),
		s(`a5 LIST Work *` + "\r\n"),
		s(`a6 LIST "" inbox` + "\r\n"),
		s("a7 UNSUBSCRIBE Junk\r\n"),
		s("a8 SUBSCRIBE Work/Projects/Alpha\r\n"),
		s(`a9 LSUB "" *` + "\r\n"),
		s(`b1 LSUB "" Work/%` + "\r\n"),
		s("b2 RENAME Work Play\r\n"),
		s(`b3 LIST "" *` + "\r\n"),
		s("b4 DELETE Play/Projects/Alpha\r\n"),
		s("b5 STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\n"),
		s("b6 SELECT INBOX\r\n"),
		s("b7 STORE 1 +FLAGS (\\Deleted)\r\n"),
		s("b8 COPY 1 Trash\r\n"),
		s("b9 MOVE 1 Junk\r\n"),
		s("c1 UID STORE 1 FLAGS.SILENT (\\Seen)\r\n"),
		s("c2 NAMESPACE\r\n"),
		s("c3 ID NIL\r\n"),
		s("c4 UNSELECT\r\n"),
		s("c5 ENABLE CONDSTORE\r\n"),
		s("c6 LOGOUT\r\n"),
	},
	"errors": {
		s("a1 SELECT INBOX\r\n"),
		s("a2 LOGIN bob@example.com x\r\n"),
		s("a3 FETCH 1 FLAGS\r\n"),
		s("a4 SELECT Nowhere\r\n"),
		s("a5 CREATE INBOX\r\n"),
		s("a6 DELETE INBOX\r\n"),
		s("a7 RENAME Sent Trash\r\n"),
		s("a8 STATUS INBOX (BOGUS)\r\n"),
		s("a9 AUTHENTICATE PLAIN\r\n"),
		s("b1 FROBNICATE\r\n"),
		s("b2 LOGIN \"unterminated\r\n"),
		s("b3 LOGIN \"bad\\escape\" x\r\n"),
		s("b4 STATUS INBOX (MESSAGES\r\n"),
		s("b5 SELECT INBOX)\r\n"),
		s("b6 CREATE {99999}\r\n"),
		s("b7 APPEND INBOX {999999999}\r\n"),
		s("b8 APPEND Nowhere {3+}\r\nabc\r\n"),
		s("b9 EXAMINE INBOX\r\n"),
		s("c1 STORE 1 +FLAGS (\\Seen)\r\n"),
		s("c2 FETCH 5 FLAGS\r\n"),
		s("c3 FETCH 0:2 FLAGS\r\n"),
		s("c4 FETCH 1 (FLAGS BODY[BOGUS])\r\n"),
		s("c5 FETCH 1 BODY[]<1.0>\r\n"),
		s("c6 SEARCH CHARSET ISO-2022-JP TEXT x\r\n"),
		s("c7 SEARCH FROBNICATE\r\n"),
		s("c8 STORE 1 +FLAGS (\\Recent)\r\n"),
		s("c9 COPY 1 Nowhere\r\n"),
		s("d1 ENABLE X\r\n"),
		s("d2 EXPUNGE\r\n"),
		s("d3 UID BOGUS 1\r\n"),
		s("d4 STARTTLS\r\n"),
		{send: "d5 IDLE\r\n", until: "+"},
		s("NOT-DONE\r\n"),
		s("* NOOP\r\n"),
		{send: "d6 " + strings.Repeat("x", maxLine) + "\r\n", until: "* BAD"},
		s("d7 NOOP\r\n"),
		s("d8 LOGOUT\r\n"),
	},
	"partial": {
		s("a1 LOGIN bob@example.com x\r\n"),
		s("a2 APPEND INBOX {" + strconv.Itoa(len(nestedMsg)) + "+}\r\n" + nestedMsg + "\r\n"),
		s("a3 EXAMINE INBOX\r\n"),
		s("a4 FETCH 2 (BODY.PEEK[1.1]<0.5> BODY.PEEK[1.2]<6.4> BODY.PEEK[2.HEADER]<0.20> BODY.PEEK[2.TEXT]<0.7>)\r\n"),
		s("a5 FETCH 2 (BODY.PEEK[HEADER.FIELDS (Subject)]<3.100> BODY.PEEK[1.2.MIME]<14.10> BODY.PEEK[2.2.2]<0.4>)\r\n"),
		s("a6 FETCH 1:2 BODY.PEEK[]<170.10>\r\n"),
		s("a7 FETCH 2 (BODY.PEEK[2.1]<100.5> BODY.PEEK[1.1]<10.1>)\r\n"),
		s("a8 UID FETCH 1 BODY.PEEK[TEXT]<0.4294967295>\r\n"),
		s("a9 FETCH 1 BODY.PEEK[]<4294967295.1>\r\n"),
		s("b1 FETCH 1 BODY.PEEK[]<4294967296.1>\r\n"),
		s("b2 FETCH 1 BODY.PEEK[]<0>\r\n"),
		s("b3 FETCH 1 BODY.PEEK[]<-1.2>\r\n"),
		s("b4 SELECT INBOX\r\n"),
		s("b5 FETCH 1 BODY[TEXT]<0.3>\r\n"),
		s("b6 FETCH 1 BODY[TEXT]<3.3>\r\n"),
		s("b7 LOGOUT\r\n"),
	},
	"quoting": {
		s(`a1 LOGIN "bob@example.com" "pa\\ss \"word\""` + "\r\n"),
		s(`a2 CREATE "Quote\"d"` + "\r\n"),
		s(`a3 CREATE "Back\\slash"` + "\r\n"),
		s(`a4 CREATE "Space Name/Sub"` + "\r\n"),
		s("a5 CREATE \"\u00dcn\u00efcode\"\r\n"),
		s(`a6 LIST "" *` + "\r\n"),
		s(`a7 STATUS "Quote\"d" (MESSAGES)` + "\r\n"),
		s(`a8 SELECT "quote\"D"` + "\r\n"),
		s(`a9 RENAME "Space Name/Sub" "Space Name/Other \\ \"Name\""` + "\r\n"),
		s(`b1 LIST "Space Name" %` + "\r\n"),
		s("b2 SELECT INBOX\r\n"),
		s(`b3 SEARCH SUBJECT ""` + "\r\n"),
		s(`b4 SEARCH HEADER "Message-ID" "<1@example.com>" FROM "\"Alice\""` + "\r\n"),
		s(`b5 SEARCH FROM "Alice"` + "\r\n"),
		s("b6 LOGOUT\r\n"),
	},
	"literals_more": {
		s("a1 LOGIN {15+}\r\nbob@example.com {0+}\r\n\r\n"),
		{send: "a2 SELECT {5}\r\n", until: "+"},
		{send: "INBOX\r\n", until: "a2 "},
		{send: "a3 SEARCH (SUBJECT {5+}\r\nhello BODY {3}\r\n", until: "+"},
		{send: "bob)\r\n", until: "a3 "},
		s("a4 SEARCH TEXT {4+}\r\nb\"o\\\r\n"),
		s("a5 CREATE {9+}\r\nFo\r\no/Bar\r\n"),
		s("a6 APPEND INBOX {0+}\r\n\r\n"),
		{send: "a7 APPEND INBOX (\\Flagged) {" + strconv.Itoa(len(latinMsg)) + "}\r\n", until: "+"},
		{send: latinMsg + "\r\n", until: "a7 "},
		s("a8 FETCH 2 (FLAGS RFC822.SIZE ENVELOPE BODY.PEEK[TEXT])\r\n"),
		s("a9 LOGOUT\r\n"),
	},
	"syntax_errors": {
		s("a1 LOGIN bob@example.com x\r\n"),
		{send: "a2\r\n", until: "a2 "},
		{send: "a3 UID\r\n", until: "a3 "},
		s("a4 NOOP extra\r\n"),
		{send: "a5 CREATE\r\n", until: "a5 "},
		s("a6 CREATE (a b)\r\n"),
		s("a7 STATUS INBOX MESSAGES\r\n"),
		s("a8 STATUS INBOX ((MESSAGES))\r\n"),
		s(`a9 LIST ((((((((((((((((((x)))))))))))))))))) ""` + "\r\n"),
		s("b1 NOOP \x01\r\n"),
		s("b2 CREATE {abc}\r\n"),
		s("b3 CREATE {3}x\r\n"),
		s("b4 NOOP\r\n"),
		s(`b5 APPEND INBOX (\Seen) atom` + "\r\n"),
		s("b6 APPEND INBOX (\\Bogus) {3+}\r\nabc\r\n"),
		s("b7 APPEND INBOX (bad]kw) {3+}\r\nabc\r\n"),
		s(`b8 APPEND INBOX "31-Feb-2024 99:00:00 +0000" {3+}` + "\r\nabc\r\n"),
		s("b9 ID (a)\r\n"),
		{send: "c1 ENABLE\r\n", until: "c1 "},
		s("c2 DELETE Nowhere\r\n"),
		s("c3 CREATE /leading\r\n"),
		s("c4 RENAME Nowhere Else\r\n"),
		s("c5 SUBSCRIBE Nowhere\r\n"),
		s("c6 SELECT INBOX\r\n"),
		s(`c7 FETCH 1 "x"` + "\r\n"),
		s("c8 FETCH 1 BOGUS\r\n"),
		s("c9 FETCH 1 ()\r\n"),
		s("d1 FETCH 1 BODY[TEXT\r\n"),
		s("d2 FETCH 1 BODY[1]<a.b>\r\n"),
		s("d3 FETCH , FLAGS\r\n"),
		s("d4 FETCH 1: FLAGS\r\n"),
		s("d5 NOOP\r\n"),
		{send: "d6 SEARCH\r\n", until: "d6 "},
		s("d7 SEARCH ()\r\n"),
		s("d8 SEARCH LARGER x\r\n"),
		s("d9 SEARCH SINCE 32-Jan-2024\r\n"),
		s("e1 SEARCH NOT\r\n"),
		s("e2 SEARCH UID x\r\n"),
		s("e3 SEARCH " + strings.Repeat("NOT ", maxSearchDepth+1) + "ALL\r\n"),
		s("e4 STORE 1 FLAGZ (\\Seen)\r\n"),
		s(`e5 STORE 1 +FLAGS ("quoted")` + "\r\n"),
		s("e6 SEARCH KEYWORD (x)\r\n"),
		s("e7 MOVE 1 Nowhere\r\n"),
		s("e8 UID EXPUNGE x\r\n"),
		s("e9 LOGOUT\r\n"),
	},
	"auth_errors": {
		s("a1 AUTHENTICATE CRAM-MD5\r\n"),
		{send: "a2 AUTHENTICATE PLAIN\r\n", until: "+"},
		{send: "*\r\n", until: "a2 "},
		s("a3 AUTHENTICATE PLAIN !!!!\r\n"),
		s("a4 AUTHENTICATE PLAIN dXNlcg==\r\n"),
		s(`a5 LOGIN "" x` + "\r\n"),
		s("a6 STARTTLS\r\n"),
		s("a7 AUTHENTICATE PLAIN =\r\n"),
		s("a8 LOGIN a\r\n"),
		s("a9 LOGIN a b c\r\n"),
		s("b1 LOGIN a@example.com x\r\n"),
		s("b2 LOGOUT\r\n"),
	},
	"list_extended": {
		s("a1 LOGIN bob@example.com x\r\n"),
		s("a2 CREATE Work/A\r\n"),
		s("a3 UNSUBSCRIBE Junk\r\n"),
		s(`a4 LIST (SUBSCRIBED) "" *` + "\r\n"),
		s(`a5 LIST (SPECIAL-USE REMOTE) "" * RETURN (SUBSCRIBED)` + "\r\n"),
		s(`a6 LIST "" (INBOX Work/%) RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UIDNEXT UNSEEN))` + "\r\n"),
		s(`a7 LIST () "" "" RETURN ()` + "\r\n"),
		s(`a8 LIST (SUBSCRIBED RECURSIVEMATCH) "" *` + "\r\n"),
		s(`a9 LIST "" * RETURN (STATUS)` + "\r\n"),
		s(`b1 LIST "" * RETURN (STATUS (BOGUS))` + "\r\n"),
		s(`b2 LIST "" () ` + "\r\n"),
		s(`b3 LSUB (SUBSCRIBED) "" *` + "\r\n"),
		s("b4 LOGOUT\r\n"),
	},
	"preauth_garbage": {
		s("GET / HTTP/1.1\r\n"),
		s("a2 HELO\r\n"),
		{send: "a3 EHLO x\r\n", until: "EOF"},
	},
	"nonsync_too_big": {
		s("a1 LOGIN bob@example.com x\r\n"),
		{send: "a2 APPEND INBOX {999999999+}\r\n", until: "EOF"},
	},
}

// latinMsg has raw ISO-8859-1 octets in its Subject and body.
const latinMsg = "From: Andr\xe9 <andre@example.fr>\r\nSubject: Caf\xe9\r\n\r\nCr\xe8me br\xfbl\xe9e\r\n"

func TestTranscripts(t *testing.T) {
	for name, steps := range transcripts {
		t.Run(name, func(t *testing.T) {
			env := newEnv(t)
			env.add(simpleMsg, "bob@example.com")
			r := env.raw()
			var out strings.Builder
			defer func() {
				if t.Failed() {
					t.Logf("transcript so far:\n%s", out.String())
				}
			}()
			out.WriteString(prefixLines("S: ", r.line()))
			for _, st := range steps {
				out.WriteString(prefixLines("C: ", st.send))
				out.WriteString(prefixLines("S: ", r.answer(st)))
			}
			golden(t, filepath.Join("testdata", name+".golden"), out.String())
		})
	}
}

// answer sends st.send and reads up to the line that ends the answer.
func (r *raw) answer(st step) string {
	r.t.Helper()
	r.send(st.send)
	switch until := st.until; until {
	case "EOF":
		b, _ := io.ReadAll(r.br)
		return string(b)
	case "":
		tag, _, _ := strings.Cut(st.send, " ")
		if strings.HasPrefix(tag, "GET") || tag == "*" || tag == "NOT-DONE\r\n" {
			return r.line()
		}
		return r.until(tag + " ")
	default:
		return r.until(until)
	}
}

// prefixLines prefixes every line of s; long lines are abbreviated so the
// golden files stay readable.
func prefixLines(prefix, s string) string {
	var sb strings.Builder
	for line := range strings.Lines(s) {
		if len(line) > 1000 {
			line = line[:100] + "...(" + strconv.Itoa(len(line)) + " bytes)\n"
		}
		sb.WriteString(prefix)
		sb.WriteString(strings.ReplaceAll(line, "\r\n", "\n"))
	}
	if !strings.HasSuffix(sb.String(), "\n") && sb.Len() > 0 {
		sb.WriteString("\\ (no line ending)\n")
	}
	return sb.String()
}

// golden compares got to the golden file, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("transcript differs from %s:\n%s", path, got)
	}
}

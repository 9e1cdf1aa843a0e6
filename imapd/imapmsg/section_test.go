package imapmsg

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"intray/memstore/mimepart"
)

func TestParseSection(t *testing.T) {
	tests := []struct {
		in   string
		want Section
		name string // AppendName, "" = error expected
	}{
		{"", Section{}, "BODY[]"},
		{"HEADER", Section{Specifier: "HEADER"}, "BODY[HEADER]"},
		{"header", Section{Specifier: "HEADER"}, "BODY[HEADER]"},
		{"TEXT", Section{Specifier: "TEXT"}, "BODY[TEXT]"},
		{"1", Section{Part: []int{1}}, "BODY[1]"},
		{"1.2.3", Section{Part: []int{1, 2, 3}}, "BODY[1.2.3]"},
		{"4.1.MIME", Section{Part: []int{4, 1}, Specifier: "MIME"}, "BODY[4.1.MIME]"},
		{"3.text", Section{Part: []int{3}, Specifier: "TEXT"}, "BODY[3.TEXT]"},
		{"HEADER.FIELDS (From To)", Section{Specifier: "HEADER.FIELDS", Fields: []string{"From", "To"}}, "BODY[HEADER.FIELDS (FROM TO)]"},
		{"1.2.HEADER.FIELDS (From To)", Section{Part: []int{1, 2}, Specifier: "HEADER.FIELDS", Fields: []string{"From", "To"}}, "BODY[1.2.HEADER.FIELDS (FROM TO)]"},
		{"header.fields.not (x-spam \"List-Id\")", Section{Specifier: "HEADER.FIELDS.NOT", Fields: []string{"x-spam", "List-Id"}}, "BODY[HEADER.FIELDS.NOT (X-SPAM LIST-ID)]"},
		{"HEADER.FIELDS ({7}\r\nSubject Date)", Section{Specifier: "HEADER.FIELDS", Fields: []string{"Subject", "Date"}}, "BODY[HEADER.FIELDS (SUBJECT DATE)]"},
		{"HEADER.FIELDS (\"a b\")", Section{Specifier: "HEADER.FIELDS", Fields: []string{"a b"}}, `BODY[HEADER.FIELDS ("A B")]`},
		{"4294967295", Section{Part: []int{4294967295}}, "BODY[4294967295]"},
		// errors
		{"0", Section{}, ""},
		{"01", Section{}, ""},
		{"1.", Section{}, ""},
		{"1..2", Section{}, ""},
		{".1", Section{}, ""},
		{"MIME", Section{}, ""},
		{"HEADER.FIELDS", Section{}, ""},
		{"HEADER.FIELDS ()", Section{}, ""},
		{"HEADER.FIELDS (From", Section{}, ""},
		{"HEADER.FIELDS (From  To)", Section{}, ""},
		{"HEADER x", Section{}, ""},
		{"BODY", Section{}, ""},
		{"1x", Section{}, ""},
		{"4294967296", Section{}, ""},
		{"HEADER.FIELDS ({9}\r\nabc)", Section{}, ""},
	}
	for _, tt := range tests {
		got, err := ParseSection(tt.in)
		if tt.name == "" {
			if err == nil || !errors.Is(err, ErrSection) {
				t.Errorf("ParseSection(%q) = %+v, %v; want an ErrSection", tt.in, got, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseSection(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if name := string(got.AppendName(nil)); name != tt.name {
			t.Errorf("AppendName(%q) = %q, want %q", tt.in, name, tt.name)
		}
	}
}

func TestParsePartial(t *testing.T) {
	tests := []struct {
		in        string
		off, cnt  uint32
		wantError bool
	}{
		{"<0.100>", 0, 100, false},
		{"<5.1>", 5, 1, false},
		{"<4294967295.4294967295>", 1<<32 - 1, 1<<32 - 1, false},
		{"<0.0>", 0, 0, true},
		{"<0>", 0, 0, true},
		{"<.1>", 0, 0, true},
		{"<1.>", 0, 0, true},
		{"0.1", 0, 0, true},
		{"<01.1>", 0, 0, true},
		{"<-1.1>", 0, 0, true},
		{"<4294967296.1>", 0, 0, true},
		{"<1.2>x", 0, 0, true},
	}
	for _, tt := range tests {
		off, cnt, err := ParsePartial(tt.in)
		if tt.wantError {
			if !errors.Is(err, ErrSection) {
				t.Errorf("ParsePartial(%q) = %d, %d, %v; want an ErrSection", tt.in, off, cnt, err)
			}
			continue
		}
		if err != nil || off != tt.off || cnt != tt.cnt {
			t.Errorf("ParsePartial(%q) = %d, %d, %v; want %d, %d", tt.in, off, cnt, err, tt.off, tt.cnt)
		}
	}
	s := Section{Part: []int{1}, Partial: true, Offset: 42, Count: 10}
	if got := string(s.AppendName(nil)); got != "BODY[1]<42>" {
		t.Errorf("partial name = %q", got)
	}
}

// TestExtractRFC3501Example fetches every section RFC 3501 6.4.5 lists for
// its example message (testdata/rfc3501-example.eml has that structure,
// with a distinct text in every part).
func TestExtractRFC3501Example(t *testing.T) {
	raw := loadMessage(t, "rfc3501-example.eml")
	root := mimepart.Parse(raw)
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	header := crlf(`Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)
From: Terry Gray <gray@cac.washington.edu>
Subject: IMAP4rev1 WG mtg summary and minutes
To: imap@cac.washington.edu
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>
Message-Id: <B27397-0100000@cac.washington.edu>
MIME-Version: 1.0
Content-Type: MULTIPART/MIXED; BOUNDARY="outer"

`)
	header3 := crlf(`From: three@example.com
Subject: part 3
Content-Type: MULTIPART/MIXED; BOUNDARY="three"

`)
	text3 := crlf(`--three
Content-Type: TEXT/PLAIN

part 3.1 text
--three
Content-Type: APPLICATION/OCTET-STREAM

part 3.2 data
--three--`)
	header42 := crlf(`From: fourtwo@example.com
Subject: part 4.2
Content-Type: MULTIPART/MIXED; BOUNDARY="fourtwo"

`)
	text422 := crlf(`--alt
Content-Type: TEXT/PLAIN

part 4.2.2.1 text
--alt
Content-Type: TEXT/RICHTEXT

part 4.2.2.2 <bold>text</bold>
--alt--`)
	text42 := crlf(`--fourtwo
Content-Type: TEXT/PLAIN

part 4.2.1 text
--fourtwo
Content-Type: MULTIPART/ALTERNATIVE; BOUNDARY="alt"

`) + text422 + "\r\n--fourtwo--"
	tests := []struct{ section, want string }{
		{"", string(raw)},
		{"HEADER", header},
		{"TEXT", string(raw[len(header):])},
		{"1", "part 1 text"},
		{"2", "cGFydCAy"},
		{"3", header3 + text3},
		{"3.HEADER", header3},
		{"3.TEXT", text3},
		{"3.1", "part 3.1 text"},
		{"3.2", "part 3.2 data"},
		{"4.1", "R0lGODlh"},
		{"4.1.MIME", "Content-Type: IMAGE/GIF\r\nContent-Transfer-Encoding: BASE64\r\n\r\n"},
		{"4.2", header42 + text42},
		{"4.2.HEADER", header42},
		{"4.2.TEXT", text42},
		{"4.2.1", "part 4.2.1 text"},
		{"4.2.2", text422},
		{"4.2.2.1", "part 4.2.2.1 text"},
		{"4.2.2.2", "part 4.2.2.2 <bold>text</bold>"},
		{"4.2.2.1.MIME", "Content-Type: TEXT/PLAIN\r\n\r\n"},
		{"3.MIME", "Content-Type: MESSAGE/RFC822\r\n\r\n"},
		{"HEADER.FIELDS (Subject CC)", "Subject: IMAP4rev1 WG mtg summary and minutes\r\ncc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\r\n"},
		{"HEADER.FIELDS.NOT (Date From To Cc Message-ID Content-Type Subject)", "MIME-Version: 1.0\r\n\r\n"},
		{"HEADER.FIELDS (X-Absent)", "\r\n"},
		{"3.HEADER.FIELDS (SUBJECT)", "Subject: part 3\r\n\r\n"},
		{"4.2.HEADER.FIELDS.NOT (Content-Type)", "From: fourtwo@example.com\r\nSubject: part 4.2\r\n\r\n"},
		// Sections that do not exist are empty, not errors.
		{"5", ""},
		{"1.1", ""},
		{"3.3", ""},
		{"4.3", ""},
		{"4.2.2.3", ""},
		{"4.2.2.1.1", ""},
		{"2.HEADER", ""},
		{"1.TEXT", ""},
		{"4.HEADER.FIELDS (From)", ""},
	}
	for _, tt := range tests {
		s, err := ParseSection(tt.section)
		if err != nil {
			t.Fatalf("ParseSection(%q): %v", tt.section, err)
		}
		if got := string(s.Extract(raw, root)); got != tt.want {
			t.Errorf("BODY[%s] =\n%q\nwant\n%q", tt.section, got, tt.want)
		}
	}
}

func TestExtractSinglePart(t *testing.T) {
	raw := loadMessage(t, "simple.eml")
	root := mimepart.Parse(raw)
	body := "Hello Bob,\r\n\r\nthis is a plain message.\r\n-- \r\nAlice\r\n"
	hdr := string(raw[:len(raw)-len(body)])
	tests := []struct {
		s    Section
		want string
	}{
		{Section{Part: []int{1}}, body}, // RFC 3501 6.4.5: part 1 of a non-multipart message
		{Section{Specifier: "TEXT"}, body},
		{Section{Specifier: "HEADER"}, hdr},
		{Section{Part: []int{1}, Specifier: "MIME"}, hdr},
		{Section{Part: []int{2}}, ""},
		{Section{Specifier: "HEADER.FIELDS", Fields: []string{"to", "subject"}},
			"To: Bob <bob@example.org>, carol@example.org (Carol C.),\r\n \"Dave \\\"The Man\\\" Doe\" <dave@example.org>\r\n" +
				"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= from\r\n Alice\r\n\r\n"},
		{Section{Specifier: "HEADER.FIELDS", Fields: []string{"Received"}},
			"Received: from mx.example.com (mx.example.com [192.0.2.1])\r\n\tby mail.example.org with ESMTP id 12345\r\n\tfor <bob@example.org>; Tue, 02 Jan 2024 10:00:00 +0000\r\n\r\n"},
		// partial fetches
		{Section{Partial: true, Offset: 0, Count: 6}, "Return"},
		{Section{Part: []int{1}, Partial: true, Offset: 6, Count: 3}, "Bob"},
		{Section{Part: []int{1}, Partial: true, Offset: uint32(len(body)) - 3, Count: 100}, "ce\n"[:0] + "e\r\n"},
		{Section{Part: []int{1}, Partial: true, Offset: uint32(len(body)), Count: 1}, ""},
		{Section{Part: []int{1}, Partial: true, Offset: 1<<32 - 1, Count: 1<<32 - 1}, ""},
		{Section{Specifier: "HEADER.FIELDS", Fields: []string{"Subject"}, Partial: true, Offset: 0, Count: 7}, "Subject"},
	}
	for _, tt := range tests {
		if got := string(tt.s.Extract(raw, root)); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.s.AppendName(nil), got, tt.want)
		}
	}
}

func TestExtractNoSeparator(t *testing.T) {
	raw := loadMessage(t, "no-separator.eml")
	root := mimepart.Parse(raw)
	for _, tt := range []struct{ spec, want string }{
		{"HEADER", string(raw)},
		{"TEXT", ""},
		{"1", ""},
		{"HEADER.FIELDS (X-Note)", "X-Note: no blank line and no body\r\n\r\n"},
	} {
		s, _ := ParseSection(tt.spec)
		if got := string(s.Extract(raw, root)); got != tt.want {
			t.Errorf("BODY[%s] = %q, want %q", tt.spec, got, tt.want)
		}
	}
}

func TestExtractEncodedMessage(t *testing.T) {
	raw := loadMessage(t, "encoded-rfc822.eml")
	root := mimepart.Parse(raw)
	for _, tt := range []struct{ spec, want string }{
		{"1", "RnJvbTogaW5uZXJAZXhhbXBsZS5jb20NClN1YmplY3Q6IGlubmVyDQoNCmhlbGxvDQo="},
		{"1.HEADER", ""}, // not addressable in place
		{"1.1", ""},
	} {
		s, _ := ParseSection(tt.spec)
		if got := string(s.Extract(raw, root)); got != tt.want {
			t.Errorf("BODY[%s] = %q, want %q", tt.spec, got, tt.want)
		}
	}
}

func TestAppendHeaderFields(t *testing.T) {
	raw := []byte("From a@b Mon Jan 1 00:00:00 2024\r\nSubject: one\r\nX-A: 1\r\n  folded\r\nsubject: two\r\n\r\nbody\r\n")
	root := mimepart.Parse(raw)
	got := string(AppendHeaderFields(nil, raw, root, []string{"SUBJECT"}, false))
	if want := "Subject: one\r\nsubject: two\r\n\r\n"; got != want {
		t.Errorf("fields = %q, want %q", got, want)
	}
	got = string(AppendHeaderFields([]byte("x"), raw, root, []string{"subject"}, true))
	if want := "xX-A: 1\r\n  folded\r\n\r\n"; got != want {
		t.Errorf("fields.not = %q, want %q", got, want)
	}
	if got := string(AppendHeaderFields(nil, raw, nil, nil, false)); got != "\r\n" {
		t.Errorf("nil part = %q", got)
	}
}

package mimepart_test

import (
	"fmt"
	"strings"

	"intray/memstore/mimepart"
)

func ExampleParse() {
	raw := []byte(strings.ReplaceAll(`From: Alice <alice@example.com>
Subject: =?UTF-8?Q?Caf=C3=A9?=
Content-Type: multipart/alternative; boundary=b

--b
Content-Type: text/plain; charset=utf-8

Hello
--b
Content-Type: text/html; charset=utf-8

<p>Hello</p>
--b--
`, "\n", "\r\n"))
	root := mimepart.Parse(raw)
	fmt.Println(root.Header.Get("Subject"))
	p := root.Find("2")
	fmt.Printf("%s %q %q\n", p.MediaType, raw[p.HeaderStart:p.HeaderEnd], raw[p.BodyStart:p.BodyEnd])
	// Output:
	// Café
	// text/html "Content-Type: text/html; charset=utf-8\r\n\r\n" "<p>Hello</p>"
}

func ExampleParseSummary() {
	raw := []byte("From: \"Bob, Jr.\" <bob@example.org>\r\nTo: undisclosed-recipients:;\r\n" +
		"Date: Tue, 14 May 2024 11:59:58 +0200\r\nSubject: Hi\r\n\r\nSee   you\r\nsoon.\r\n")
	s := mimepart.ParseSummary(raw)
	fmt.Println(s.From.Name, s.From.Address, s.To[0].Name, s.Date.UTC(), s.Snippet)
	// Output:
	// Bob, Jr. bob@example.org undisclosed-recipients 2024-05-14 09:59:58 +0000 UTC See you soon.
}

func ExampleLinks() {
	fmt.Println(mimepart.Links("see https://example.com/a.", `<a href="https://example.com/b?x=1&amp;y=2">b</a>`))
	// Output:
	// [https://example.com/a https://example.com/b?x=1&y=2]
}

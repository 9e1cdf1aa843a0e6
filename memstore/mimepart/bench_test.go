package mimepart

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// plainMessage is a realistic ~2 KB text/plain message: a dozen header
// fields (some folded), a short body.
func plainMessage() []byte {
	var b strings.Builder
	b.WriteString("Return-Path: <alice@example.com>\n")
	for i := 0; i < 3; i++ {
		fmt.Fprintf(&b, "Received: from relay%d.example.net (relay%d.example.net [192.0.2.%d])\n\tby mx.example.org with ESMTPS id 4Vf%dk2\n\tfor <bob@example.org>; Tue, 14 May 2024 10:00:0%d +0000\n", i, i, i, i, i)
	}
	b.WriteString("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1;\n\th=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n\tb=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiYzR\n")
	b.WriteString("From: Alice Example <alice@example.com>\nTo: Bob <bob@example.org>, carol@example.org\n")
	b.WriteString("Subject: =?UTF-8?Q?Quarterly_report_=E2=80=93_Q2?=\nDate: Tue, 14 May 2024 11:59:58 +0200\n")
	b.WriteString("Message-ID: <20240514095958.1234@example.com>\nMIME-Version: 1.0\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n")
	for b.Len() < 2000 {
		b.WriteString("Hi Bob, here are the numbers for the quarter. Let me know what you think.\n")
	}
	return crlf(b.String())
}

// multipartMessage is a ~50 KB multipart/mixed: alternative text and HTML
// (quoted-printable) and a base64 PDF attachment.
func multipartMessage() []byte {
	var b strings.Builder
	b.WriteString("From: Shop <noreply@shop.example>\nTo: bob@example.org\nSubject: Your invoice\n")
	b.WriteString("Date: Wed, 15 May 2024 08:00:00 -0400\nMessage-ID: <inv@shop.example>\nMIME-Version: 1.0\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"mixed-1\"\n\n--mixed-1\n")
	b.WriteString("Content-Type: multipart/alternative; boundary=\"alt-1\"\n\n--alt-1\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n")
	for i := 0; i < 40; i++ {
		b.WriteString("Thank you for your order. Your invoice =E2=80=93 number 1234 =E2=80=93 is attached.\n")
	}
	b.WriteString("--alt-1\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n<html><body>")
	for i := 0; i < 80; i++ {
		b.WriteString("<p style=3D\"color:#333\">Thank you for your order. Your invoice is attached.</p>\n")
	}
	b.WriteString("</body></html>\n--alt-1--\n\n--mixed-1\n")
	b.WriteString("Content-Type: application/pdf; name=\"invoice.pdf\"\nContent-Disposition: attachment; filename=\"invoice.pdf\"\nContent-Transfer-Encoding: base64\n\n")
	enc := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("%PDF binary data \x00\x01\x02\xff"), 1300))
	for i := 0; i < len(enc); i += 76 {
		b.WriteString(enc[i:min(i+76, len(enc))] + "\n")
	}
	b.WriteString("--mixed-1--\n")
	return crlf(b.String())
}

func BenchmarkParseSummary(b *testing.B) {
	for _, bm := range []struct {
		name string
		raw  []byte
	}{{"plain2KB", plainMessage()}, {"multipart50KB", multipartMessage()}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.raw)))
			b.ReportAllocs()
			for b.Loop() {
				ParseSummary(bm.raw)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for _, bm := range []struct {
		name string
		raw  []byte
	}{{"plain2KB", plainMessage()}, {"multipart50KB", multipartMessage()}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.raw)))
			b.ReportAllocs()
			for b.Loop() {
				Parse(bm.raw)
			}
		})
	}
}

func TestBenchMessages(t *testing.T) {
	p, m := plainMessage(), multipartMessage()
	if len(p) < 1800 || len(p) > 2600 || len(m) < 45000 || len(m) > 60000 {
		t.Errorf("sizes %d and %d", len(p), len(m))
	}
	s := ParseSummary(m)
	if !s.HasAttachments || !strings.HasPrefix(s.Snippet, "Thank you for your order. Your invoice – number 1234") {
		t.Errorf("multipart summary %+v", s)
	}
	checkTree(t, m, Parse(m))
}

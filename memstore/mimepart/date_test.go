package mimepart

import (
	"net/mail"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	want := time.Date(2024, 5, 14, 11, 59, 58, 0, time.FixedZone("", 2*3600))
	utc := time.Date(2024, 5, 14, 11, 59, 58, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"Tue, 14 May 2024 11:59:58 +0200", want},
		{"14 May 2024 11:59:58 +0200", want},
		{"Tue, 14 May 2024 11:59:58 +0200 (CEST)", want},
		{"Tue,  14 May 2024 11:59:58 +0200", want},
		{"Tue 14 May 2024 11:59:58 +0200", want},
		{"Tuesday, 14 May 2024 11:59:58 +0200", want},
		{"Tue, 14 May 2024 11:59:58 GMT+0200", want},
		{"Tue, 14 May 2024 11:59:58 UTC+02:00", want},
		{"Tue, 14 May 24 11:59:58 +0200", want},
		{"Tue, 14 May 2024 09:59:58 GMT", want},
		{"Tue, 14 May 2024 09:59:58 UT", want},
		{"Tue, 14 May 2024 09:59:58", utc.Add(-2 * time.Hour)},
		{"Tue, 14 may 2024 11:59:58 +0200", want},
		{"Tue, 14-May-2024 11:59:58 +0200", want},
		{"2024-05-14T11:59:58+02:00", want},
		{"2024-05-14 09:59:58", utc.Add(-2 * time.Hour)},
		{"Tue May 14 09:59:58 2024", utc.Add(-2 * time.Hour)},
		{"Tue May 14 09:59:58 UTC 2024", utc.Add(-2 * time.Hour)},
		{"May 14, 2024 11:59:58 +0200", want},
		{"Tue, 14 May 2024 11:59 +0200", want.Add(-58 * time.Second)},
		{"", time.Time{}},
		{"yesterday", time.Time{}},
		{"Tue, 99 May 2024 11:59:58 +0200", time.Time{}},
	}
	for _, tt := range tests {
		got := parseDate(tt.in)
		if !got.Equal(tt.want) {
			t.Errorf("parseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFastDateAgreesWithNetMail(t *testing.T) {
	for _, s := range []string{
		"Tue, 14 May 2024 11:59:58 +0200",
		"14 May 2024 11:59:58 -0000",
		"Wed, 1 Jan 2025 00:00 +0530",
		"Sat, 29 Feb 2020 23:59:59 -1200 (comment)",
		"Mon, 20 may 2024 10:00:00 +0300",
	} {
		fast, ok := fastDate(s)
		slow, err := mail.ParseDate(s)
		if !ok || err != nil || !fast.Equal(slow) {
			t.Errorf("%q: fast %v %v, net/mail %v %v", s, fast, ok, slow, err)
		}
	}
	for _, s := range []string{
		"31 Feb 2024 10:00:00 +0000", "1 Foo 2024 10:00:00 +0000", "1 Jan 2024 25:00:00 +0000",
		"1 Jan 2024 10:00:00 GMT", "1 Jan 24 10:00:00 +0000", "1 Jan 2024 10:00:00 +0000 trailing",
		"1 Jan 2024 10:00:00 +00", "123 Jan 2024 10:00:00 +0000", "1 Jan 2024 10:00:00 +0099",
	} {
		if _, ok := fastDate(s); ok {
			t.Errorf("fastDate accepted %q", s)
		}
	}
}

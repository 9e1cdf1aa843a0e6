package mimepart

import (
	"reflect"
	"testing"
)

func TestParseAddressList(t *testing.T) {
	tests := []struct {
		in   string
		want []Address
	}{
		{"", nil},
		{"  ", nil},
		{"a@example.com", []Address{{"", "a@example.com"}}},
		{"Alice <a@example.com>, b@example.org", []Address{{"Alice", "a@example.com"}, {"", "b@example.org"}}},
		{`"Dave, Jr." <dave@example.org>`, []Address{{"Dave, Jr.", "dave@example.org"}}},
		{"=?utf-8?q?Fran=C3=A7ois?= <f@example.fr>", []Address{{"François", "f@example.fr"}}},
		{`"=?utf-8?b?0JDQvdC90LA=?=" <anna@example.ru>`, []Address{{"Анна", "anna@example.ru"}}},
		{"=?koi8-r?B?6dfBzg==?= <ivan@example.ru>", []Address{{"Иван", "ivan@example.ru"}}},
		{"undisclosed-recipients:;", []Address{{"undisclosed-recipients", ""}}},
		{"Team: a@example.com, b@example.com;", []Address{{"", "a@example.com"}, {"", "b@example.com"}}},
		{"Team: a@example.com;, c@example.com", []Address{{"", "a@example.com"}, {"", "c@example.com"}}},
		{`"broken <a@b.c>`, []Address{{"broken", "a@b.c"}}},
		{"Bad Quote\" <x@example.com>, ok@example.com", []Address{{"Bad Quote", "x@example.com"}, {"", "ok@example.com"}}},
		{"José Müller <jm@example.de>", []Address{{"José Müller", "jm@example.de"}}},
		{"Caf\xe9 <c@example.fr>", []Address{{"Café", "c@example.fr"}}},
		{"foo", []Address{{"foo", ""}}},
		{"x@example.com (Comment Name)", []Address{{"Comment Name", "x@example.com"}}},
		{"<@route:a@example.com>", []Address{{"", "@route:a@example.com"}}},
		{"a@example.com,,b@example.com", []Address{{"", "a@example.com"}, {"", "b@example.com"}}},
		{"Name <unterminated@example.com", []Address{{"Name", "unterminated@example.com"}}},
		{"first last first.last@example.com", []Address{{"first last", "first.last@example.com"}}},
	}
	for _, tt := range tests {
		if got := ParseAddressList(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseAddressList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

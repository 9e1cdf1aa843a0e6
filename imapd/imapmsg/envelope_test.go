package imapmsg

import (
	"testing"

	"intray/memstore/mimepart"
)

func TestAddressList(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "NIL"},
		{"   ", "NIL"},
		{",,", "NIL"},
		{"a@b.example", `((NIL NIL "a" "b.example"))`},
		{"John <j@x.example>", `(("John" NIL "j" "x.example"))`},
		{`"Doe, John" <j@x.example>`, `(("Doe, John" NIL "j" "x.example"))`},
		{`"Say \"hi\"" <j@x.example>`, `(("Say \"hi\"" NIL "j" "x.example"))`},
		{`John  Q.   Public <jqp@x.example>`, `(("John Q. Public" NIL "jqp" "x.example"))`},
		{"=?utf-8?q?J=C3=B6rg?= <j@x.example>", `(("=?utf-8?q?J=C3=B6rg?=" NIL "j" "x.example"))`},
		{"j@x.example (Comment Name)", `(("Comment Name" NIL "j" "x.example"))`},
		{"<j@x.example> (Trailing)", `(("Trailing" NIL "j" "x.example"))`},
		{"j . doe @ x . example", `((NIL NIL "j.doe" "x.example"))`},
		{`"j doe"@x.example`, `((NIL NIL "j doe" "x.example"))`},
		{"<@r1.example,@r2.example:j@x.example>", `((NIL "@r1.example,@r2.example" "j" "x.example"))`},
		{"a@x.example, b@y.example", `((NIL NIL "a" "x.example")(NIL NIL "b" "y.example"))`},
		{"a@x.example; b@y.example", `((NIL NIL "a" "x.example")(NIL NIL "b" "y.example"))`},
		{"G: a@x.example, B <b@y.example>;", `((NIL NIL "G" NIL)(NIL NIL "a" "x.example")("B" NIL "b" "y.example")(NIL NIL NIL NIL))`},
		{"undisclosed-recipients:;", `((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL))`},
		{"G: a@x.example", `((NIL NIL "G" NIL)(NIL NIL "a" "x.example")(NIL NIL NIL NIL))`},
		{":;", `((NIL NIL "" NIL)(NIL NIL NIL NIL))`},
		{"a@x.example;", `((NIL NIL "a" "x.example"))`},
		{"<>", `((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{"nobody", `((NIL NIL "nobody" "MISSING_DOMAIN"))`},
		{"No Body", `(("No Body" NIL "MISSING_MAILBOX" "MISSING_DOMAIN"))`},
		{"x@", `((NIL NIL "x" "MISSING_DOMAIN"))`},
		{"<j@x.example", `((NIL NIL "j" "x.example"))`},
		{"(unterminated comment", "NIL"},
		{`"unterminated`, `((NIL NIL "unterminated" "MISSING_DOMAIN"))`},
		{"a@b@c.example", `((NIL NIL "a@b" "c.example"))`},
		{"A <a@x.example> junk, b@y.example", `(("A" NIL "a" "x.example")(NIL NIL "b" "y.example"))`},
		{"j@[192.0.2.1]", `((NIL NIL "j" "[192.0.2.1]"))`},
		{"Jörg <j@x.example>", "(({5}\r\nJ\xc3\xb6rg NIL \"j\" \"x.example\"))"},
	}
	for _, tt := range tests {
		out, _ := appendAddrList(nil, nil, tt.in)
		got := string(out)
		if got != tt.want {
			t.Errorf("address list %q\n got %s\nwant %s", tt.in, got, tt.want)
		}
		n, err := parseValue([]byte(got))
		if err == nil {
			err = checkAddressList(n)
		}
		if err != nil {
			t.Errorf("address list %q: invalid output %s: %v", tt.in, got, err)
		}
	}
}

func TestEnvelopeDefaults(t *testing.T) {
	tests := []struct{ msg, want string }{
		{"\r\n", "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"},
		{"Subject: \r\n\r\n", `(NIL "" NIL NIL NIL NIL NIL NIL NIL NIL)`},
		{"From: a@x.example\r\nSender: \r\nReply-To: ,\r\n\r\n",
			`(NIL NIL ((NIL NIL "a" "x.example")) ((NIL NIL "a" "x.example")) ((NIL NIL "a" "x.example")) NIL NIL NIL NIL NIL)`},
		{"FROM: a@x.example\r\nfrom: b@x.example\r\nmessage-id: <m@x>\r\nDATE: today\r\n\r\n",
			`("today" NIL ((NIL NIL "a" "x.example")) ((NIL NIL "a" "x.example")) ((NIL NIL "a" "x.example")) NIL NIL NIL NIL "<m@x>")`},
		{"Subject: line\r\n\tfolded\r\n\r\n", "(NIL \"line\tfolded\" NIL NIL NIL NIL NIL NIL NIL NIL)"},
	}
	for _, tt := range tests {
		raw := []byte(tt.msg)
		if got := string(AppendEnvelope(nil, raw, mimepart.Parse(raw))); got != tt.want {
			t.Errorf("envelope of %q\n got %s\nwant %s", tt.msg, got, tt.want)
		}
	}
	if got := string(AppendEnvelope(nil, nil, nil)); got != "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)" {
		t.Errorf("nil part: %s", got)
	}
}

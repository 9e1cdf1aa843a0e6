package sasl

import "testing"

func TestParsePlain(t *testing.T) {
	tests := []struct {
		name, msg          string
		authz, authc, pass string
		ok                 bool
	}{
		{"no authzid", "\x00bob\x00secret", "", "bob", "secret", true},
		{"authzid", "admin\x00bob\x00secret", "admin", "bob", "secret", true},
		{"empty password", "\x00bob\x00", "", "bob", "", true},
		{"empty authcid", "admin\x00\x00secret", "", "", "", false},
		{"two parts", "bob\x00secret", "", "", "", false},
		{"four parts", "a\x00b\x00c\x00d", "", "", "", false},
		{"empty", "", "", "", "", false},
		{"line break in authcid", "\x00bo\r\nb\x00pw", "", "", "", false},
		{"escape in authzid", "\x1b[2J\x00bob\x00pw", "", "", "", false},
		{"DEL in authcid", "\x00bob\x7f\x00pw", "", "", "", false},
		{"control bytes in the password are its own business", "\x00bob\x00p\tw", "", "bob", "p\tw", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			authz, authc, pass, ok := ParsePlain([]byte(tt.msg))
			if authz != tt.authz || authc != tt.authc || pass != tt.pass || ok != tt.ok {
				t.Errorf("ParsePlain(%q) = %q, %q, %q, %v", tt.msg, authz, authc, pass, ok)
			}
		})
	}
}

func TestPasswordOK(t *testing.T) {
	passwords := func(user string) (string, bool) {
		if user == "bob" {
			return "secret", true
		}
		return "", false
	}
	tests := []struct {
		user, pass string
		want       bool
	}{
		{"bob", "secret", true},
		{"bob", "Secret", false},
		{"bob", "", false},
		{"eve", "", false}, // an unknown user with the empty password it would get
		{"eve", "secret", false},
	}
	for _, tt := range tests {
		if got := PasswordOK(passwords, tt.user, tt.pass); got != tt.want {
			t.Errorf("PasswordOK(%q, %q) = %v", tt.user, tt.pass, got)
		}
	}
}

func FuzzParsePlain(f *testing.F) {
	f.Add([]byte("admin\x00bob\x00secret"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		authz, authc, _, ok := ParsePlain(msg)
		if ok && (authc == "" || !ValidIdentity([]byte(authz)) || !ValidIdentity([]byte(authc))) {
			t.Fatalf("accepted %q", msg)
		}
	})
}

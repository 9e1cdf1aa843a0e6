package smtpd

import (
	"testing"
)

func TestSplitPath(t *testing.T) {
	tests := []struct{ in, path, params string }{
		{"<a@x>", "a@x", ""},
		{"<a@x> SIZE=1", "a@x", " SIZE=1"},
		{`<"a\"> "@x> X`, `"a\"> "@x`, " X"},
		{"a@x SIZE=1", "a@x", "SIZE=1"},
		{"  <a@x>", "a@x", ""},
	}
	for _, tt := range tests {
		path, params, ok := splitPath([]byte(tt.in))
		if !ok || string(path) != tt.path || string(params) != tt.params {
			t.Errorf("splitPath(%q) = %q %q %v", tt.in, path, params, ok)
		}
	}
	for _, bad := range []string{"", "<a@x", "<a@x>x", "a<b@x", `<"a@x>`} {
		if _, _, ok := splitPath([]byte(bad)); ok {
			t.Errorf("splitPath(%q) ok", bad)
		}
	}
}

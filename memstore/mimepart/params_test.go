package mimepart

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseParams(t *testing.T) {
	tests := []struct {
		in     string
		value  string
		params map[string]string
	}{
		{"text/plain", "text/plain", nil},
		{" Text/HTML ; Charset=UTF-8", "text/html", map[string]string{"charset": "UTF-8"}},
		{`multipart/mixed; boundary="----=_Part_0_1.2"`, "multipart/mixed", map[string]string{"boundary": "----=_Part_0_1.2"}},
		{`a/b; x="q\"uo\\te"; y=2`, "a/b", map[string]string{"x": `q"uo\te`, "y": "2"}},
		{`a/b; x="unterminated`, "a/b", map[string]string{"x": "unterminated"}},
		{`a/b; name=my file.pdf; z`, "a/b", map[string]string{"name": "my file.pdf"}},
		{`text/plain; charset=us-ascii (Plain text)`, "text/plain", map[string]string{"charset": "us-ascii"}},
		{`a/b;; ;x=1;x=2`, "a/b", map[string]string{"x": "1"}},
		{`attachment; filename*=UTF-8''%E2%82%AC%20rates.pdf`, "attachment", map[string]string{"filename": "€ rates.pdf"}},
		{`attachment; filename*=iso-8859-1'fr'caf%E9`, "attachment", map[string]string{"filename": "café"}},
		{`attachment; filename="plain.txt"; filename*=utf-8''better.txt`, "attachment", map[string]string{"filename": "better.txt"}},
		{`a/b; title*1=" world"; title*0="hello"`, "a/b", map[string]string{"title": "hello world"}},
		{`a/b; t*0*=utf-8''%C3; t*1*=%A9; t*2=" x"`, "a/b", map[string]string{"t": "é x"}},
		{`a/b; t*0=a; t*0=b; t*1=c`, "a/b", map[string]string{"t": "ac"}},
		{`a/b; t*x=1`, "a/b", map[string]string{"t*x": "1"}},
		{`a/b; t*=bad%zz`, "a/b", map[string]string{"t": "bad%zz"}},
		{`a/b; *=1`, "a/b", map[string]string{"*": "1"}},
		{`a/b; x=`, "a/b", map[string]string{"x": ""}},
	}
	for _, tt := range tests {
		v, ps := parseParams(tt.in, nil)
		if v != tt.value || !reflect.DeepEqual(paramMap(ps), tt.params) {
			t.Errorf("parseParams(%q) = %q %v, want %q %v", tt.in, v, paramMap(ps), tt.value, tt.params)
		}
	}
}

func TestValidMediaType(t *testing.T) {
	for mt, want := range map[string]bool{
		"text/plain": true, "application/vnd.ms-excel": true, "x-foo/x-bar+xml": true,
		"text": false, "/plain": false, "text/": false, "te xt/plain": false, "text/pl@in": false, "a/b/c": false,
	} {
		if got := validMediaType(mt); got != want {
			t.Errorf("validMediaType(%q) = %v", mt, got)
		}
	}
}

func TestParseParamsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("a/b")
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&b, "; k%d=v; k%d*%d=v", i, i%50, i)
	}
	start := time.Now()
	_, ps := parseParams(b.String(), nil)
	if len(ps) > maxParams || time.Since(start) > 2*time.Second {
		t.Errorf("%d params in %v", len(ps), time.Since(start))
	}
}

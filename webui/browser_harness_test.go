package webui_test

// The harness of the browser tests (browser_test.go): a memstore.Store, the
// webui handler and an smtpd.Server on 127.0.0.1:0, and a headless Chromium
// driven with chromedp. Set INTRAY_BROWSER_TESTS=1 to make the tests fail
// when no browser is installed; without it they skip. INTRAY_CHROMIUM names
// another browser binary.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"intray/memstore"
	"intray/smtpd"
	"intray/webui"
)

const (
	browserTestsEnv = "INTRAY_BROWSER_TESTS"
	defaultChromium = "/usr/bin/chromium"
	stepTimeout     = 15 * time.Second
)

// chromiumPath returns the browser to drive, or skips the test (fails it
// when INTRAY_BROWSER_TESTS=1) when there is none.
func chromiumPath(t testing.TB) string {
	t.Helper()
	p := os.Getenv("INTRAY_CHROMIUM")
	if p == "" {
		p = defaultChromium
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv(browserTestsEnv) == "1" {
			t.Fatalf("%s=1 but no browser at %s: %v", browserTestsEnv, p, err)
		}
		t.Skipf("browser tests skipped: no browser at %s (apt-get install chromium, or set %s=1 to require them)", p, browserTestsEnv)
	}
	return p
}

// inbox is one test's running intray (store, HTTP, SMTP) and browser tab.
type inbox struct {
	t     *testing.T
	store *memstore.Store
	url   string // http://127.0.0.1:port/
	smtp  string // host:port of the SMTP server
	ctx   context.Context

	mu        sync.Mutex
	httpAddr  string
	conns     <-chan net.Conn // accepted on httpAddr, for the current server (see acceptForever)
	srv       *http.Server
	served    chan struct{} // closed when the current Serve returns
	exception []string      // uncaught exceptions of the page
}

type inboxOption func(*inboxConfig)

type inboxConfig struct {
	width, height int64
	darkMedia     bool
	store         memstore.Options
}

// withMaxMessages limits the store, so that it evicts.
func withMaxMessages(n int) inboxOption {
	return func(c *inboxConfig) { c.store.MaxMessages = n }
}

// withViewport sets the viewport size (default 1280x800).
func withViewport(w, h int64) inboxOption {
	return func(c *inboxConfig) { c.width, c.height = w, h }
}

// withDarkSystem emulates prefers-color-scheme: dark.
func withDarkSystem() inboxOption { return func(c *inboxConfig) { c.darkMedia = true } }

// newInbox starts a store, the web UI and SMTP on loopback and a browser
// tab sized for the test; it does not open the page (see open).
func newInbox(t *testing.T, opts ...inboxOption) *inbox {
	t.Helper()
	exec := chromiumPath(t)
	cfg := inboxConfig{width: 1280, height: 800}
	for _, o := range opts {
		o(&cfg)
	}
	in := &inbox{t: t, store: memstore.New(cfg.store)}

	smtpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ss := &smtpd.Server{Store: in.store, Hostname: "intray.test"}
	go ss.Serve(smtpLn)
	t.Cleanup(func() { ss.Close() })
	in.smtp = smtpLn.Addr().String()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	in.httpAddr = ln.Addr().String()
	in.url = "http://" + in.httpAddr + "/"
	in.conns = acceptForever(t, ln)
	in.serve()
	t.Cleanup(in.stopServer)

	allocOpts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exec),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(cfg.width), int(cfg.height)),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	in.ctx = ctx
	// The first run starts the browser and binds it to its context: this
	// one, without the per-step timeout of do.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", exec, err)
	}
	in.do(chromedp.EmulateViewport(cfg.width, cfg.height))
	if cfg.darkMedia {
		in.emulateDark(true)
	}
	// Record the CSP violations of the inbox page itself (not of the
	// message iframe, whose hostile content is expected to hit them).
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `if (window === window.top) { window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber)); }`,
	}); err != nil {
		t.Fatal(err)
	}
	go in.watchExceptions()
	t.Cleanup(in.screenshotsOnFailure)
	t.Cleanup(in.checkCSP)
	t.Cleanup(func() {
		in.mu.Lock()
		defer in.mu.Unlock()
		for _, e := range in.exception {
			t.Errorf("uncaught exception in the page: %s", e)
		}
	})
	return in
}

// acceptForever accepts on ln until the test ends and hands each
// connection to whichever server is serving (see handoffListener). The
// socket stays open across stopServer and restartServer: closing it and
// listening again on the same port could fail while the port is briefly
// taken (and would need a retry loop with sleeps). While no server is
// serving, connections wait here or in the kernel's backlog, as they would
// while a restarted intray starts.
func acceptForever(t *testing.T, ln net.Listener) <-chan net.Conn {
	conns := make(chan net.Conn)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case conns <- c:
			case <-stop:
				c.Close()
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		ln.Close()
		<-done
	})
	return conns
}

// handoffListener is one server's view of the test's HTTP socket: it
// accepts from acceptForever until it is closed, leaving the socket open
// for the next server.
type handoffListener struct {
	addr   net.Addr
	conns  <-chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func (l *handoffListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *handoffListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *handoffListener) Addr() net.Addr { return l.addr }

// serve serves the web UI on the test's HTTP socket with a fresh handler
// over the same store.
func (in *inbox) serve() {
	h := webui.New(webui.Config{
		Store:   in.store,
		Version: "test",
		Addresses: func() map[string]string {
			return map[string]string{"smtp": in.smtp, "http": in.httpAddr, "web": in.url}
		},
	})
	srv := webui.NewServer(h)
	addr, _ := net.ResolveTCPAddr("tcp", in.httpAddr)
	ln := &handoffListener{addr: addr, conns: in.conns, closed: make(chan struct{})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln)
	}()
	in.mu.Lock()
	in.srv, in.served = srv, served
	in.mu.Unlock()
}

// stopServer shuts the HTTP server down (the page sees its websocket close).
func (in *inbox) stopServer() {
	in.mu.Lock()
	srv, served := in.srv, in.served
	in.srv = nil
	in.mu.Unlock()
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
	}
	<-served
}

// restartServer serves again on the same address, as a restarted intray
// would (with a new handler: a new event sequence floor, no waiters).
func (in *inbox) restartServer() {
	in.serve()
}

func (in *inbox) watchExceptions() {
	for ev, err := range chromedp.Events(in.ctx, runtime.ExceptionThrown) {
		if err != nil {
			return
		}
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg = d.Exception.Description
		}
		in.mu.Lock()
		in.exception = append(in.exception, fmt.Sprintf("%s (%s:%d)", msg, d.URL, d.LineNumber))
		in.mu.Unlock()
	}
}

// checkCSP fails the test if the inbox page broke its own CSP (an inline
// style or script, a load from elsewhere).
func (in *inbox) checkCSP() {
	ctx, cancel := context.WithTimeout(in.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`location.protocol === 'http:' && window.__csp || []`))
	if err != nil {
		return // the page is gone; nothing to check
	}
	for _, e := range v {
		in.t.Errorf("CSP violation in the inbox page: %s", e)
	}
}

// screenshotsOnFailure saves the page at 1280x800 and 375x812 when the test
// failed, into a directory that outlives the test, and logs where.
func (in *inbox) screenshotsOnFailure() {
	if !in.t.Failed() {
		return
	}
	dir, err := os.MkdirTemp("", "intray-browser-"+sanitize(in.t.Name())+"-")
	if err != nil {
		in.t.Logf("screenshots: %v", err)
		return
	}
	for _, s := range []struct{ w, h int64 }{{1280, 800}, {375, 812}} {
		if err := in.screenshot(filepath.Join(dir, fmt.Sprintf("%dx%d.png", s.w, s.h)), s.w, s.h); err != nil {
			in.t.Logf("screenshot %dx%d: %v", s.w, s.h, err)
		}
	}
	in.t.Logf("screenshots of the failed test: %s", dir)
}

// screenshot resizes the viewport and saves a PNG of it.
func (in *inbox) screenshot(path string, w, h int64) error {
	ctx, cancel := context.WithTimeout(in.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h)); err != nil {
		return err
	}
	// Let layout settle to the new size before capturing.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`new Promise(r => requestAnimationFrame(() => r(true)))`,
		chromedp.WithPollingTimeout(2*time.Second))); err != nil {
		return err
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

func sanitize(s string) string { return unsafeName.ReplaceAllString(s, "_") }

// do runs actions in the tab, failing the test on error.
func (in *inbox) do(actions ...chromedp.Action[chromedp.Void]) {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(in.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		in.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](in *inbox, js string) T {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(in.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		in.t.Fatalf("eval %s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it is true; on timeout the
// test fails with what describe (an expression) says about the page.
func (in *inbox) waitFor(cond, describe string) {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(in.ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+cond+")",
		chromedp.WithPollingTimeout(10*time.Second), chromedp.WithPollingMutation()))
	if err != nil {
		what := ""
		if describe != "" {
			what = fmt.Sprint(eval[any](in, describe))
		}
		in.t.Fatalf("waiting for %s: %v; %s", cond, err, what)
	}
}

// emulateDark switches the emulated prefers-color-scheme.
func (in *inbox) emulateDark(dark bool) {
	in.t.Helper()
	v := "light"
	if dark {
		v = "dark"
	}
	ctx, cancel := context.WithTimeout(in.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}},
	}); err != nil {
		in.t.Fatalf("emulate prefers-color-scheme: %v", err)
	}
}

// open loads the inbox and waits until it is live and its list loaded.
func (in *inbox) open() {
	in.t.Helper()
	in.do(chromedp.Navigate(in.url))
	in.waitReady()
}

// waitReady waits for the websocket to be up and the list to be loaded.
func (in *inbox) waitReady() {
	in.t.Helper()
	in.waitFor(`document.querySelector('#conn')?.dataset.state === 'live' && !document.querySelector('#list').hasAttribute('aria-busy') && document.querySelector('#list-status').textContent !== ''`,
		`document.querySelector('#conn')?.textContent`)
}

// subjects returns the subjects of the listed rows, top to bottom.
func (in *inbox) subjects() []string {
	in.t.Helper()
	return eval[[]string](in, `[...document.querySelectorAll('#list .row .subject')].map(e => e.textContent)`)
}

// waitRows waits until the list shows exactly these subjects, in order.
func (in *inbox) waitRows(subjects ...string) {
	in.t.Helper()
	if subjects == nil {
		subjects = []string{}
	}
	in.waitFor(`!document.querySelector('#list').hasAttribute('aria-busy') && JSON.stringify([...document.querySelectorAll('#list .row .subject')].map(e => e.textContent)) === JSON.stringify(`+jsValue(subjects)+`)`,
		`[...document.querySelectorAll('#list .row .subject')].map(e => e.textContent).join(' | ')`)
}

// jsValue renders v as a JavaScript expression (JSON is one).
func jsValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string { return jsValue(s) }

// click clicks the first element that matches a CSS selector.
func (in *inbox) click(sel string) {
	in.t.Helper()
	in.do(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// key presses keys on the focused element as a keyboard does: a keyDown
// that carries the text (so that preventDefault on keydown keeps the
// character out of a text field, as in a real browser), then a keyUp.
// chromedp.KeyEvent sends the text in a separate char event instead.
func (in *inbox) key(keys string) {
	in.t.Helper()
	in.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, r := range keys {
			var text string
			for _, ev := range kb.Encode(r) {
				if ev.Type == kb.KeyChar {
					text = ev.Text
				}
			}
			for _, ev := range kb.Encode(r) {
				switch ev.Type {
				case kb.KeyChar:
					continue
				case kb.KeyDown:
					ev.Text, ev.UnmodifiedText = text, text
				}
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *ev); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

// text returns the textContent of the first element matching sel.
func (in *inbox) text(sel string) string {
	in.t.Helper()
	return eval[string](in, `document.querySelector(`+jsString(sel)+`)?.textContent ?? ''`)
}

// msg describes a test message.
type msg struct {
	from, subject, body string
	to, cc              []string
	bcc                 []string // envelope-only recipients
	headers             string   // extra header lines, CRLF-terminated
	raw                 string   // a complete message instead of the fields above
}

func (m msg) bytes() []byte {
	if m.raw != "" {
		return []byte(strings.ReplaceAll(strings.ReplaceAll(m.raw, "\r\n", "\n"), "\n", "\r\n"))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\n", m.from)
	fmt.Fprintf(&b, "To: %s\r\n", strings.Join(m.to, ", "))
	if len(m.cc) > 0 {
		fmt.Fprintf(&b, "Cc: %s\r\n", strings.Join(m.cc, ", "))
	}
	fmt.Fprintf(&b, "Subject: %s\r\n", m.subject)
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%d@intray.test>\r\n", time.Now().UnixNano())
	b.WriteString(m.headers)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(m.body, "\n", "\r\n"))
	b.WriteString("\r\n")
	return []byte(b.String())
}

func (m msg) rcpts() []string {
	var out []string
	for _, l := range [][]string{m.to, m.cc, m.bcc} {
		for _, a := range l {
			if i := strings.LastIndexByte(a, '<'); i >= 0 {
				a = strings.TrimSuffix(a[i+1:], ">")
			}
			out = append(out, a)
		}
	}
	return out
}

func (m msg) sender() string {
	a := m.from
	if i := strings.LastIndexByte(a, '<'); i >= 0 {
		a = strings.TrimSuffix(a[i+1:], ">")
	}
	return a
}

// send delivers m through the SMTP server with net/smtp and returns the
// time of the final 250 reply to DATA.
func (in *inbox) send(m msg) time.Time {
	in.t.Helper()
	t250, err := sendSMTP(in.smtp, m.sender(), m.rcpts(), m.bytes())
	if err != nil {
		in.t.Fatalf("send %q over SMTP: %v", m.subject, err)
	}
	return t250
}

func sendSMTP(addr, from string, rcpts []string, data []byte) (time.Time, error) {
	c, err := smtp.Dial(addr)
	if err != nil {
		return time.Time{}, err
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		return time.Time{}, err
	}
	if err := c.Mail(from); err != nil {
		return time.Time{}, err
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r); err != nil {
			return time.Time{}, err
		}
	}
	w, err := c.Data()
	if err != nil {
		return time.Time{}, err
	}
	if _, err := w.Write(data); err != nil {
		return time.Time{}, err
	}
	if err := w.Close(); err != nil { // reads the 250 reply
		return time.Time{}, err
	}
	t250 := time.Now()
	if err := c.Quit(); err != nil && !errors.Is(err, net.ErrClosed) {
		return t250, err
	}
	return t250, nil
}

// add stores m directly, as an ingest without SMTP would.
func (in *inbox) add(m msg) *memstore.Message {
	in.t.Helper()
	stored, err := in.store.Add(memstore.Envelope{MailFrom: m.sender(), RcptTo: m.rcpts()}, m.bytes())
	if err != nil {
		in.t.Fatal(err)
	}
	return stored
}

// byID finds the stored message with the given subject.
func (in *inbox) bySubject(subject string) *memstore.Message {
	in.t.Helper()
	_, page, err := in.store.List(memstore.Filter{}, 0, -1)
	if err != nil {
		in.t.Fatal(err)
	}
	for _, e := range page {
		if e.Msg.Subject == subject {
			return e.Msg
		}
	}
	in.t.Fatalf("no stored message with subject %q", subject)
	return nil
}

// isRead reports the catch-all read flag of a stored message.
func (in *inbox) isRead(id string) bool {
	in.t.Helper()
	e, err := in.store.Get(id)
	if err != nil {
		in.t.Fatal(err)
	}
	return e.Flags.Has(memstore.FlagSeen)
}

package webui

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"intray/memstore"
)

// testEnv is a Handler served over real HTTP on 127.0.0.1.
type testEnv struct {
	t      testing.TB
	store  *memstore.Store
	h      *Handler
	addr   string // host:port
	url    string // http://host:port
	client *http.Client
	hooks  hooks
}

// newTestEnv serves a fresh store; opts are func(*Config), applied before
// New, or func(*Handler), applied before serving.
func newTestEnv(t testing.TB, opts ...any) *testEnv {
	store := memstore.New(memstore.Options{})
	return newTestEnvStore(t, store, opts...)
}

func newTestEnvStore(t testing.TB, store *memstore.Store, opts ...any) *testEnv {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	cfg := Config{Store: store, Version: "test", Addresses: func() map[string]string {
		return map[string]string{"http": addr, "web": "http://" + addr + "/"}
	}}
	for _, o := range opts {
		if f, ok := o.(func(*Config)); ok {
			f(&cfg)
		}
	}
	h := New(cfg)
	for _, o := range opts {
		if f, ok := o.(func(*Handler)); ok {
			f(h)
		}
	}
	hk := installHooks(h)
	srv := NewServer(h)
	go srv.Serve(ln)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2000}}
	t.Cleanup(func() {
		client.CloseIdleConnections()
		srv.Close()
		h.Close()
	})
	return &testEnv{t: t, store: store, h: h, addr: addr, url: "http://" + addr, client: client, hooks: hk}
}

// waitWaiters waits until n wait calls are registered.
func (e *testEnv) waitWaiters(n int) {
	e.t.Helper()
	e.hooks.waitWaiters(e.t, e.h, n)
}

// waitEvents waits until cond, which reads the event hub's state, holds.
func (e *testEnv) waitEvents(cond func() bool) {
	e.t.Helper()
	waitUntil(e.t, e.hooks.events, cond)
}

// waitSeq waits until the event hub has processed every stored event.
func (e *testEnv) waitSeq() {
	e.t.Helper()
	e.waitEvents(func() bool { return e.h.events.lastSeq() == e.store.Stats().Seq })
}

// request sends a request; hdr are name, value pairs ("Host" sets the
// Host header).
func (e *testEnv) request(method, path string, body io.Reader, hdr ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if strings.EqualFold(hdr[i], "Host") {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// call sends a request, checks the status, and decodes a JSON answer into
// out (if not nil). It returns the response with its body read.
func (e *testEnv) call(method, path, body string, want int, out any, hdr ...string) *http.Response {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	resp := e.request(method, path, r, hdr...)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decoding %q: %v", method, path, b, err)
		}
	}
	return resp
}

// callError checks that a request fails with status and a JSON error; it
// returns the error text.
func (e *testEnv) callError(method, path, body string, status int, hdr ...string) string {
	e.t.Helper()
	var er errorJSON
	resp := e.call(method, path, body, status, &er, hdr...)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		e.t.Errorf("%s %s: Content-Type %q, want JSON", method, path, ct)
	}
	if er.Error == "" {
		e.t.Errorf("%s %s: empty error", method, path)
	}
	return er.Error
}

// add stores raw for the given recipients.
func (e *testEnv) add(raw string, rcpt ...string) *memstore.Message {
	e.t.Helper()
	m, err := e.store.Add(memstore.Envelope{MailFrom: "sender@example.com", RcptTo: rcpt, Helo: "client.test",
		RemoteAddr: "127.0.0.1:5555", Transcript: "C: EHLO client.test\r\nS: 250 ok\r\n"}, []byte(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// plainMsg is a small text message.
func plainMsg(to, subject string) string {
	return fmt.Sprintf("From: Alice <alice@example.com>\r\nTo: %s\r\nSubject: %s\r\n"+
		"Date: Mon, 02 Jan 2006 15:04:05 +0000\r\n\r\nHello, see https://example.com/verify?token=abc.\r\n", to, subject)
}

// pngBase64 is a 1x1 PNG.
const pngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="

// richMsg has the tree
//
//	1 multipart/related
//	  1.1 multipart/alternative: 1.1.1 text/plain, 1.1.2 text/html
//	  1.2 image/png, Content-ID <logo@x>
//	2 application/pdf attachment with a hostile file name
const richMsg = "From: =?utf-8?q?Zo=C3=AB?= <zoe@example.com>\r\n" +
	"To: Bob <bob@example.com>\r\n" +
	"Cc: carol@example.com\r\n" +
	"Subject: =?utf-8?q?Caf=C3=A9_menu?=\r\n" +
	"Date: Tue, 03 Jan 2006 10:00:00 +0100\r\n" +
	"X-First: 1\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"mixed\"\r\n" +
	"\r\n" +
	"--mixed\r\n" +
	"Content-Type: multipart/related; boundary=\"rel\"\r\n" +
	"\r\n" +
	"--rel\r\n" +
	"Content-Type: multipart/alternative; boundary=\"alt\"\r\n" +
	"\r\n" +
	"--alt\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Caf=C3=A9 text https://example.com/a\r\n" +
	"--alt\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"\r\n" +
	"<p>Menu <a href=\"https://example.com/b?x=1&amp;y=2\">open</a><img src=\"cid:logo@x\"></p>\r\n" +
	"--alt--\r\n" +
	"--rel\r\n" +
	"Content-Type: image/png\r\n" +
	"Content-ID: <logo@x>\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	pngBase64 + "\r\n" +
	"--rel--\r\n" +
	"--mixed\r\n" +
	"Content-Type: application/pdf; name=\"x.pdf\"\r\n" +
	"Content-Disposition: attachment; filename=\"../../etc/pass\\\"wd.pdf\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"JVBERi0xLjQK\r\n" +
	"--mixed--\r\n"

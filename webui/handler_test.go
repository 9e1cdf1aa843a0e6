package webui

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"intray/memstore"
)

func TestNotFoundAndMethodNotAllowedAreJSON(t *testing.T) {
	e := newTestEnv(t)
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/v1/nope", 404},
		{"GET", "/api/", 404},
		{"POST", "/nope", 405}, // GET / serves the whole tree
		{"PATCH", "/api/v1/messages", 405},
		{"POST", "/api/v1/messages/x", 405},
		{"DELETE", "/api/v1/info", 405},
		{"GET", "/no-such-file.js", 404},
		{"GET", "/js/", 404}, // no directory listings
		{"PUT", "/api/v1/messages/x/read/extra", 405},
	} {
		msg := e.callError(c.method, c.path, "", c.status)
		t.Logf("%s %s: %d %s", c.method, c.path, c.status, msg)
	}
	resp := e.call("PATCH", "/api/v1/messages", "", 405, nil)
	if allow := resp.Header.Get("Allow"); !strings.Contains(allow, "DELETE") {
		t.Errorf("405 Allow = %q", allow)
	}
}

func TestStatic(t *testing.T) {
	e := newTestEnv(t)
	resp := e.request("GET", "/", nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "<") {
		t.Fatalf("GET /: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "frame-src 'self'", "frame-ancestors 'none'", "ws://" + e.addr} {
		if !strings.Contains(csp, want) {
			t.Errorf("app CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("app CSP too loose: %q", csp)
	}
	if xfo := resp.Header.Get("X-Frame-Options"); xfo != "DENY" {
		t.Errorf("X-Frame-Options %q", xfo)
	}
	if n := resp.Header.Get("X-Content-Type-Options"); n != "nosniff" {
		t.Errorf("nosniff missing: %q", n)
	}
	// /index.html redirects to /.
	resp = e.call("GET", "/index.html", "", 200, nil)
	if p := resp.Request.URL.Path; p != "/" {
		t.Errorf("/index.html ended at %q", p)
	}
}

func TestSecurityHeadersOnAPI(t *testing.T) {
	e := newTestEnv(t)
	resp := e.call("GET", "/api/v1/messages", "", 200, nil)
	for name, want := range map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
		"Content-Security-Policy": apiCSP,
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS header sent without CORSOrigin")
	}
}

func TestConfigValidate(t *testing.T) {
	store := memstore.New(memstore.Options{})
	for _, c := range []struct {
		cfg Config
		ok  bool
	}{
		{Config{Store: store}, true},
		{Config{}, false},
		{Config{Store: store, CORSOrigin: "http://localhost:3000"}, true},
		{Config{Store: store, CORSOrigin: "*"}, true},
		{Config{Store: store, CORSOrigin: "localhost:3000/x"}, false},
		{Config{Store: store, AllowedHosts: []string{"mail.test", ".dev.test", "*"}}, true},
		{Config{Store: store, AllowedHosts: []string{"http://x/"}}, false},
	} {
		if err := c.cfg.Validate(); (err == nil) != c.ok {
			t.Errorf("Validate(%+v) = %v", c.cfg, err)
		}
	}
}

// TestShutdown checks that Shutdown releases waiters with 503 and closes
// websockets with 1001, through the hook NewServer registers.
func TestShutdown(t *testing.T) {
	store := memstore.New(memstore.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := New(Config{Store: store})
	hk := installHooks(h)
	srv := NewServer(h)
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String()
	ws := dialEvents(t, url, "")
	readEvent(t, ws) // hello
	status := make(chan int, 1)
	go func() {
		resp, err := http.Get(url + "/api/v1/messages/wait?timeout=60s")
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	hk.waitWaiters(t, h, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if s := <-status; s != http.StatusServiceUnavailable {
		t.Errorf("waiter got %d, want 503", s)
	}
	if code := closeCode(t, ws); code != 1001 {
		t.Errorf("websocket close code %d, want 1001", code)
	}
}

// hooks turns on the wait and event hubs' change hooks (see notify).
type hooks struct {
	waits, events notify
}

func installHooks(h *Handler) hooks {
	hk := hooks{waits: make(notify, 1), events: make(notify, 1)}
	h.waits.mu.Lock()
	h.waits.changed = hk.waits
	h.waits.mu.Unlock()
	h.events.mu.Lock()
	h.events.changed = hk.events
	h.events.mu.Unlock()
	return hk
}

// waitUntil waits until cond holds, checking it again each time changed
// (a hub's hook, signalled after every change of the state cond reads) is
// signalled; it fails after 30 s.
func waitUntil(t testing.TB, changed <-chan struct{}, cond func() bool) {
	t.Helper()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for !cond() {
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatal("condition not reached in 30s")
		}
	}
}

// waitWaiters waits until h has n registered wait calls.
func (hk hooks) waitWaiters(t testing.TB, h *Handler, n int) {
	t.Helper()
	waitUntil(t, hk.waits, func() bool { return h.waits.count() == n })
}

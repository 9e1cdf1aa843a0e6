package webui

import (
	"net/http"
	"strings"
	"testing"
)

func TestHostAllowlist(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.AllowedHosts = []string{"mail.test", ".dev.test"} })
	_, port, _ := strings.Cut(e.addr, ":")
	for _, host := range []string{
		e.addr, "localhost", "localhost:" + port, "LOCALHOST.", "app.localhost:8025", "127.0.0.1", "[::1]:" + port, "[::1]",
		"10.1.2.3:8025", "mail.test", "MAIL.test:80", "a.dev.test",
	} {
		e.call("GET", "/api/v1/messages", "", 200, nil, "Host", host)
	}
	for _, host := range []string{"evil.example", "evil.example:" + port, "127.0.0.1.evil.example", "localhost.evil.example",
		"dev.test.evil.example", "xmail.test", "mail.test.evil", "localhost;x"} {
		e.callError("GET", "/api/v1/messages", "", http.StatusForbidden, "Host", host)
	}
}

func TestHostAllowlistBoundName(t *testing.T) {
	e := newTestEnv(t, func(c *Config) {
		c.Addresses = func() map[string]string {
			return map[string]string{"http": "devbox:8025", "web": "http://intray.internal:8025/"}
		}
	})
	e.call("GET", "/api/v1/info", "", 200, nil, "Host", "devbox:8025")
	e.call("GET", "/api/v1/info", "", 200, nil, "Host", "intray.internal:8025")
	e.callError("GET", "/api/v1/info", "", 403, "Host", "other.internal:8025")
}

func TestHostAny(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.AllowedHosts = []string{"*"} })
	e.call("GET", "/api/v1/messages", "", 200, nil, "Host", "anything.example")
}

// TestRebindingChangesNothing sends every state-changing request with a
// foreign Host, as a DNS-rebinding page would: all are refused, nothing
// changes, and nothing is read.
func TestRebindingChangesNothing(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(plainMsg("bob@example.com", "x"), "bob@example.com")
	host := []string{"Host", "rebind.evil.example:" + strings.Split(e.addr, ":")[1]}
	e.callError("DELETE", "/api/v1/messages", "", 403, host...)
	e.callError("DELETE", "/api/v1/messages/"+m.ID, "", 403, host...)
	e.callError("PUT", "/api/v1/messages/"+m.ID+"/read", `{"read":true}`, 403, host...)
	e.callError("POST", "/api/v1/messages?rcptTo=a@b.test", plainMsg("a@b.test", "y"), 403, host...)
	e.callError("GET", "/api/v1/messages/"+m.ID+"/raw", "", 403, host...)
	e.callError("GET", "/", "", 403, host...)
	if _, resp, err := dialEventsWithHost(e.url, host[1]); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Errorf("websocket with a foreign Host: %v", err)
	}
	assertUnchanged(t, e, m.ID)
}

// TestCrossSiteChangesNothing sends every state-changing request from a
// foreign origin, as a page on another site would.
func TestCrossSiteChangesNothing(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(plainMsg("bob@example.com", "x"), "bob@example.com")
	for _, hdr := range [][]string{
		{"Origin", "http://evil.example"},
		{"Origin", "null"},
		{"Origin", "http://localhost:3000"}, // same site, other port: still another origin
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site", "Origin", "http://localhost:3000"},
	} {
		e.callError("DELETE", "/api/v1/messages", "", 403, hdr...)
		e.callError("DELETE", "/api/v1/messages/"+m.ID, "", 403, hdr...)
		e.callError("PUT", "/api/v1/messages/"+m.ID+"/read", `{"read":true}`, 403, hdr...)
		e.callError("POST", "/api/v1/messages?rcptTo=a@b.test", plainMsg("a@b.test", "y"), 403, hdr...)
	}
	for _, origin := range []string{"http://evil.example", "null", "http://localhost:3000"} {
		if _, resp, err := dialEventsErr(e.url, origin); err == nil || resp == nil || resp.StatusCode != 403 {
			t.Errorf("websocket from %s: %v", origin, err)
		}
	}
	assertUnchanged(t, e, m.ID)
	// Same origin and no origin at all are allowed.
	e.call("PUT", "/api/v1/messages/"+m.ID+"/read", `{"read":true}`, 200, nil, "Origin", e.url)
	e.call("PUT", "/api/v1/messages/"+m.ID+"/read", `{"read":true}`, 200, nil, "Sec-Fetch-Site", "same-origin")
	e.call("PUT", "/api/v1/messages/"+m.ID+"/read", `{"read":false}`, 200, nil)
	dialEvents(t, e.url, e.url)
	dialEvents(t, e.url, "")
}

// TestUpgradeHeaderKeepsOriginCheck checks that an Upgrade: websocket
// header does not turn the cross-origin check off outside the event
// stream's GET.
func TestUpgradeHeaderKeepsOriginCheck(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(plainMsg("bob@example.com", "x"), "bob@example.com")
	for _, hdr := range [][]string{
		{"Upgrade", "websocket", "Sec-Fetch-Site", "cross-site"},
		{"Upgrade", "websocket", "Connection", "Upgrade", "Origin", "http://evil.example"},
	} {
		e.callError("DELETE", "/api/v1/messages", "", 403, hdr...)
		e.callError("DELETE", "/api/v1/messages/"+m.ID, "", 403, hdr...)
		e.callError("PUT", "/api/v1/messages/"+m.ID+"/read", `{"read":true}`, 403, hdr...)
		e.callError("POST", "/api/v1/messages?rcptTo=a@b.test", plainMsg("a@b.test", "y"), 403, hdr...)
		e.callError("POST", "/api/v1/events", "", 403, hdr...)
	}
	assertUnchanged(t, e, m.ID)
}

func assertUnchanged(t *testing.T, e *testEnv, id string) {
	t.Helper()
	st := e.store.Stats()
	en, err := e.store.Get(id)
	if err != nil || st.Listed != 1 || st.Unread != 1 || en.Msg.ID != id {
		t.Fatalf("store changed: %+v, %v", st, err)
	}
}

func TestCORS(t *testing.T) {
	const app = "http://localhost:3000"
	e := newTestEnv(t, func(c *Config) { c.CORSOrigin = app })
	m := e.add(plainMsg("bob@example.com", "x"), "bob@example.com")
	resp := e.call("GET", "/api/v1/messages", "", 200, nil, "Origin", app)
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != app {
		t.Errorf("Allow-Origin %q", got)
	}
	resp = e.call("OPTIONS", "/api/v1/messages", "", 204, nil, "Origin", app, "Access-Control-Request-Method", "DELETE")
	if got := resp.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(got, "DELETE") {
		t.Errorf("preflight Allow-Methods %q", got)
	}
	e.call("PUT", "/api/v1/messages/"+m.ID+"/read", `{"read":true}`, 200, nil, "Origin", app, "Sec-Fetch-Site", "same-site")
	dialEvents(t, e.url, app)
	// Other origins get no CORS headers and still cannot change anything.
	resp = e.call("GET", "/api/v1/messages", "", 200, nil, "Origin", "http://evil.example")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Allow-Origin for a foreign origin: %q", got)
	}
	e.callError("DELETE", "/api/v1/messages", "", 403, "Origin", "http://evil.example")
	e.callError("OPTIONS", "/api/v1/messages", "", 405, "Origin", "http://evil.example", "Access-Control-Request-Method", "DELETE")
}

func TestCORSAny(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.CORSOrigin = "*" })
	resp := e.call("DELETE", "/api/v1/messages", "", 200, nil, "Origin", "http://anything.example")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "http://anything.example" {
		t.Errorf("Allow-Origin %q", got)
	}
}

func TestSafeHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost:8025": true, "[::1]:8025": true, "a-b.example": true, "": false,
		"x'y": false, "x;script-src *": false, "x y": false, strings.Repeat("a", 300): false,
	} {
		if got := safeHost(host); got != want {
			t.Errorf("safeHost(%q) = %v", host, got)
		}
	}
}

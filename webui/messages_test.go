package webui

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"intray/memstore"
	"intray/memstore/mimepart"
)

func richTree(t *testing.T) *mimepart.Part {
	t.Helper()
	return mimepart.Parse([]byte(richMsg))
}

func TestList(t *testing.T) {
	e := newTestEnv(t)
	var empty listJSON
	e.call("GET", "/api/v1/messages", "", 200, &empty)
	if empty.Total != 0 || empty.Messages == nil {
		t.Fatalf("empty list = %+v, want total 0 and []", empty)
	}
	var ids []string
	for i := range 5 {
		to := "bob@example.com"
		if i%2 == 1 {
			to = "eve@example.com"
		}
		ids = append(ids, e.add(plainMsg(to, fmt.Sprintf("subject %d", i)), to).ID)
	}
	var all listJSON
	e.call("GET", "/api/v1/messages?limit=2&offset=1", "", 200, &all)
	if all.Total != 5 || len(all.Messages) != 2 || all.Messages[0].ID != ids[3] || all.Messages[1].ID != ids[2] {
		t.Fatalf("page = %+v", all)
	}
	s := all.Messages[0]
	if s.From.Address != "alice@example.com" || s.From.Name != "Alice" || len(s.To) != 1 || s.To[0].Address != "eve@example.com" ||
		s.Subject != "subject 3" || s.Date == nil || s.Size == 0 || s.Read || s.Envelope.MailFrom != "sender@example.com" ||
		!slices.Equal(s.Envelope.RcptTo, []string{"eve@example.com"}) || s.Cc == nil || !strings.Contains(s.Snippet, "Hello") {
		t.Errorf("summary = %+v", s)
	}
	for _, c := range []struct {
		query string
		want  int
	}{
		{"to=eve@example.com", 2},
		{"q=" + url.QueryEscape("to:bob subject:\"subject 4\""), 1},
		{"q=-subject:2", 4},
		{"subject=subject+1", 1},
		{"from=alice", 5},
		{"since=" + ids[2], 2},
		{"since=" + url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)), 0},
		{"q=is:unread", 5},
		{"q=is:read", 0},
	} {
		var got listJSON
		e.call("GET", "/api/v1/messages?"+c.query, "", 200, &got)
		if got.Total != c.want {
			t.Errorf("%s: total %d, want %d", c.query, got.Total, c.want)
		}
	}
	e.callError("GET", "/api/v1/messages?limit=x", "", 400)
	e.callError("GET", "/api/v1/messages?limit=100000", "", 400)
	e.callError("GET", "/api/v1/messages?offset=-1", "", 400)
	e.callError("GET", "/api/v1/messages?since=nosuchid", "", 404)
}

func TestMessageFull(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(richMsg, "bob@example.com", "carol@example.com", "dave@example.com")
	var got messageJSON
	e.call("GET", "/api/v1/messages/"+m.ID, "", 200, &got)
	if got.ID != m.ID || got.Subject != "Café menu" || got.From.Name != "Zoë" || !got.HasAttachments {
		t.Errorf("summary part = %+v", got.summaryJSON)
	}
	if len(got.Headers) < 3 || got.Headers[0] != (headerJSON{"From", "Zoë <zoe@example.com>"}) || got.Headers[5].Name != "X-First" {
		t.Errorf("headers = %+v", got.Headers)
	}
	if !strings.Contains(got.Text, "Café text") || !strings.Contains(got.HTML, "cid:logo@x") {
		t.Errorf("text %q html %q", got.Text, got.HTML)
	}
	if !slices.Equal(got.Links, []string{"https://example.com/a", "https://example.com/b?x=1&y=2"}) {
		t.Errorf("links = %q", got.Links)
	}
	if len(got.Bcc) != 1 || got.Bcc[0].Address != "dave@example.com" {
		t.Errorf("bcc = %+v", got.Bcc)
	}
	env := got.Envelope
	if env.Helo != "client.test" || env.RemoteAddr != "127.0.0.1:5555" || env.TLS || len(env.RcptTo) != 3 {
		t.Errorf("envelope = %+v", env)
	}
	if !slices.Equal(got.Transcript, []string{"C: EHLO client.test", "S: 250 ok"}) {
		t.Errorf("transcript = %q", got.Transcript)
	}
	var ids []string
	var walk func(ps []partJSON)
	walk = func(ps []partJSON) {
		for _, p := range ps {
			ids = append(ids, p.ID+" "+p.ContentType)
			walk(p.Parts)
		}
	}
	walk(got.Parts)
	want := []string{"1 multipart/related", "1.1 multipart/alternative", "1.1.1 text/plain", "1.1.2 text/html",
		"1.2 image/png", "2 application/pdf"}
	if !slices.Equal(ids, want) {
		t.Errorf("parts = %q, want %q", ids, want)
	}
	if p := got.Parts[0].Parts[1]; p.ContentID != "logo@x" || p.Size == 0 {
		t.Errorf("image part = %+v", p)
	}
	if p := got.Parts[1]; p.Disposition != "attachment" || p.Filename != `../../etc/pass"wd.pdf` {
		t.Errorf("attachment part = %+v", p)
	}
	// GET never marks read.
	if en, _ := e.store.Get(m.ID); got.Read || en.Flags&memstore.FlagSeen != 0 {
		t.Errorf("GET marked the message read")
	}
	e.callError("GET", "/api/v1/messages/nosuch", "", 404)
}

func TestMessageSinglePartTree(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(plainMsg("bob@example.com", "x"), "bob@example.com")
	var got messageJSON
	e.call("GET", "/api/v1/messages/"+m.ID, "", 200, &got)
	if len(got.Parts) != 1 || got.Parts[0].ID != "1" || got.Parts[0].ContentType != "text/plain" || got.HTML != "" ||
		got.Bcc == nil || got.Parts[0].Parts == nil {
		t.Errorf("parts = %+v html %q", got.Parts, got.HTML)
	}
	resp := e.call("GET", "/api/v1/messages/"+m.ID+"/parts/1", "", 200, nil)
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=us-ascii" {
		t.Errorf("part 1 Content-Type %q", ct)
	}
}

func TestRaw(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(richMsg, "bob@example.com")
	resp := e.request("GET", "/api/v1/messages/"+m.ID+"/raw", nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != richMsg || resp.Header.Get("Content-Type") != "message/rfc822" {
		t.Fatalf("raw: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
		t.Errorf("raw CSP %q", csp)
	}
	e.callError("GET", "/api/v1/messages/nosuch/raw", "", 404)
}

func TestPart(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(richMsg, "bob@example.com")
	base := "/api/v1/messages/" + m.ID + "/parts/"
	resp := e.request("GET", base+"1.2", nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Fatalf("image part: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	if d := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(d, "inline") {
		t.Errorf("image disposition %q", d)
	}
	resp = e.call("GET", base+"2", "", 200, nil)
	if d := resp.Header.Get("Content-Disposition"); d != `attachment; filename=pass_wd.pdf` {
		t.Errorf("attachment disposition %q", d)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || strings.Contains(csp, "allow-scripts") {
		t.Errorf("part CSP %q", csp)
	}
	resp = e.call("GET", base+"1.1.2?download=1", "", 200, nil)
	if d := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(d, "attachment;") {
		t.Errorf("download disposition %q", d)
	}
	resp = e.call("GET", base+"1.1.1", "", 200, nil)
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("text part type %q", ct)
	}
	for _, p := range []string{"3", "1.9", "0", "x", "1.1.1.1"} {
		e.callError("GET", base+p, "", 404)
	}
	e.callError("GET", "/api/v1/messages/nosuch/parts/1", "", 404)
}

func TestPartFilename(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{`C:\Users\x\evil.exe`, "evil.exe"},
		{"../../.bashrc", "bashrc"},
		{"a\r\nb.txt", "a__b.txt"},
		{"", "id-part2.pdf"},
		{"..", "id-part2.pdf"},
	} {
		p := richTree(t).Find("2")
		p.Filename = c.in
		if got := partFilename(p, "id", "2"); got != c.want {
			t.Errorf("partFilename(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestInject(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.MaxMessageSize = 4096 })
	var s summaryJSON
	resp := e.call("POST", "/api/v1/messages?mailFrom=%3Cx@y.test%3E&rcptTo=a@b.test&rcptTo=c@d.test,e@f.test",
		plainMsg("bob@example.com", "injected"), 201, &s)
	if s.Subject != "injected" || s.Envelope.MailFrom != "x@y.test" ||
		!slices.Equal(s.Envelope.RcptTo, []string{"a@b.test", "c@d.test", "e@f.test"}) {
		t.Errorf("summary = %+v", s)
	}
	if loc := resp.Header.Get("Location"); loc != "/api/v1/messages/"+s.ID {
		t.Errorf("Location %q", loc)
	}
	raw := "From: A <a@example.com>\r\nTo: B <b@example.com>, c@example.com\r\nCc: d@example.com\r\nBcc: e@example.com\r\nSubject: h\r\n\r\nbody\r\n"
	e.call("POST", "/api/v1/messages", raw, 201, &s)
	if s.Envelope.MailFrom != "a@example.com" ||
		!slices.Equal(s.Envelope.RcptTo, []string{"b@example.com", "c@example.com", "d@example.com", "e@example.com"}) {
		t.Errorf("header envelope = %+v", s.Envelope)
	}
	e.callError("POST", "/api/v1/messages", "", 400)
	e.callError("POST", "/api/v1/messages", "Subject: no rcpt\r\n\r\nx\r\n", 400)
	e.callError("POST", "/api/v1/messages?rcptTo=a@b", strings.Repeat("x", 5000), 413)
	if n := e.store.Stats().Listed; n != 2 {
		t.Errorf("stored %d messages, want 2", n)
	}
}

func TestSetRead(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(plainMsg("bob@example.com", "x"), "bob@example.com")
	path := "/api/v1/messages/" + m.ID + "/read"
	var got struct {
		ID   string `json:"id"`
		Read bool   `json:"read"`
	}
	e.call("PUT", path, `{"read": true}`, 200, &got)
	var s messageJSON
	e.call("GET", "/api/v1/messages/"+m.ID, "", 200, &s)
	if !got.Read || got.ID != m.ID || !s.Read {
		t.Errorf("after PUT read: %+v, message read %v", got, s.Read)
	}
	e.call("PUT", path, `{"read": false}`, 200, &got)
	if e.call("GET", "/api/v1/messages/"+m.ID, "", 200, &s); s.Read {
		t.Error("still read")
	}
	for _, body := range []string{"", "{}", `{"read": "yes"}`, "nonsense", `{"read": true` + strings.Repeat(" ", 5000) + "}"} {
		e.callError("PUT", path, body, 400)
	}
	e.callError("PUT", "/api/v1/messages/nosuch/read", `{"read": true}`, 404)
}

func TestDelete(t *testing.T) {
	e := newTestEnv(t)
	a := e.add(plainMsg("bob@example.com", "keep"), "bob@example.com")
	b := e.add(plainMsg("eve@example.com", "drop"), "eve@example.com")
	var d deletedJSON
	e.call("DELETE", "/api/v1/messages/"+b.ID, "", 200, &d)
	if d.Deleted != 1 {
		t.Errorf("deleted %d", d.Deleted)
	}
	e.callError("DELETE", "/api/v1/messages/"+b.ID, "", 404)
	e.add(plainMsg("eve@example.com", "drop 2"), "eve@example.com")
	e.call("DELETE", "/api/v1/messages?to=eve@example.com", "", 200, &d)
	if d.Deleted != 1 || e.store.Stats().Listed != 1 {
		t.Errorf("filtered delete: %d deleted, %d left", d.Deleted, e.store.Stats().Listed)
	}
	if _, err := e.store.Get(a.ID); err != nil {
		t.Errorf("filtered delete removed the wrong message: %v", err)
	}
	e.callError("DELETE", "/api/v1/messages?since=nosuch", "", 404)
	e.callError("DELETE", "/api/v1/messages?limit=bad", "", 400)
	e.add(plainMsg("x@example.com", "x"), "x@example.com")
	e.call("DELETE", "/api/v1/messages", "", 200, &d)
	if d.Deleted != 2 || e.store.Stats().Messages != 0 {
		t.Errorf("reset: %d deleted, %+v left", d.Deleted, e.store.Stats())
	}
}

func TestMailboxes(t *testing.T) {
	e := newTestEnv(t)
	var got []struct {
		Address       string
		Total, Unread int
	}
	e.call("GET", "/api/v1/mailboxes", "", 200, &got)
	if got == nil || len(got) != 0 {
		t.Fatalf("empty mailboxes = %#v", got)
	}
	m := e.add(plainMsg("bob@example.com", "x"), "Bob@Example.com", "eve@example.com")
	e.add(plainMsg("bob@example.com", "y"), "bob@example.com")
	e.store.SetRead(m.ID, true)
	e.call("GET", "/api/v1/mailboxes", "", 200, &got)
	if len(got) != 2 || got[0].Address != "bob@example.com" || got[0].Total != 2 || got[0].Unread != 1 || got[1].Total != 1 {
		t.Errorf("mailboxes = %+v", got)
	}
}

func TestInfoAndHealthz(t *testing.T) {
	var ready atomic.Bool
	e := newTestEnv(t, func(c *Config) {
		c.Ready = ready.Load
		c.StartTime = time.Now().Add(-time.Minute)
	})
	e.add(plainMsg("bob@example.com", "x"), "bob@example.com")
	var info infoJSON
	e.call("GET", "/api/v1/info", "", 200, &info)
	if info.Version != "test" || info.Messages != 1 || info.Unread != 1 || info.Bytes == 0 || info.Uptime < 59 ||
		info.Addresses["http"] != e.addr || info.Mailboxes != 1 || info.MaxMessages == 0 || info.Seq == 0 {
		t.Errorf("info = %+v", info)
	}
	e.callError("GET", "/healthz", "", http.StatusServiceUnavailable)
	ready.Store(true)
	e.call("GET", "/healthz", "", 200, nil)
	// Health probes reach it under any name.
	e.call("GET", "/healthz", "", 200, nil, "Host", "intray.internal:8025")
}

package webui

import (
	"context"
	"io"
	"net"
	"net/smtp"
	"slices"
	"strings"
	"testing"

	"intray/smtpd"
)

// startSMTP serves intray's SMTP server over e's store on 127.0.0.1:0.
func startSMTP(t testing.TB, e *testEnv) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &smtpd.Server{Store: e.store, Hostname: "intray.test"}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestEndToEnd sends through the real SMTP server with net/smtp's client
// and reads back through the wait call, the event stream and the API.
func TestEndToEnd(t *testing.T) {
	e := newTestEnv(t)
	smtpAddr := startSMTP(t, e)
	ws := dialEvents(t, e.url, "")
	readEvent(t, ws)
	res := e.startWait(context.Background(), "to=bob@example.com&timeout=30s")
	e.waitWaiters(1)

	rcpt := []string{"bob@example.com", "carol@example.com", "hidden@example.com"}
	if err := smtp.SendMail(smtpAddr, nil, "zoe@example.com", rcpt, []byte(richMsg)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	r := <-res
	if r.err != nil || r.status != 200 || r.list.Total != 1 {
		t.Fatalf("wait: %+v", r)
	}
	id := r.list.Messages[0].ID
	if ev := readEvent(t, ws); ev.Type != "new" || ev.Message.ID != id || ev.Message.Subject != "Café menu" {
		t.Fatalf("event: %+v", ev)
	}
	var m messageJSON
	e.call("GET", "/api/v1/messages/"+id, "", 200, &m)
	if m.Envelope.MailFrom != "zoe@example.com" || !slices.Equal(m.Envelope.RcptTo, rcpt) || m.Envelope.Helo == "" {
		t.Errorf("envelope %+v", m.Envelope)
	}
	if len(m.Bcc) != 1 || m.Bcc[0].Address != "hidden@example.com" {
		t.Errorf("bcc %+v", m.Bcc)
	}
	if !slices.ContainsFunc(m.Transcript, func(l string) bool { return strings.HasPrefix(l, "C: MAIL FROM:<zoe@example.com>") }) {
		t.Errorf("transcript %q", m.Transcript)
	}
	if !slices.Contains(m.Links, "https://example.com/b?x=1&y=2") {
		t.Errorf("links %q", m.Links)
	}
	resp := e.request("GET", "/api/v1/messages/"+id+"/raw", nil)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(raw) != richMsg {
		t.Errorf("raw differs from what was sent:\n%q", raw)
	}
	var boxes []map[string]any
	e.call("GET", "/api/v1/mailboxes", "", 200, &boxes)
	if len(boxes) != 3 {
		t.Errorf("mailboxes %v", boxes)
	}
	e.call("DELETE", "/api/v1/messages", "", 200, nil)
	if ev := readEvent(t, ws); ev.Type != "reset" {
		t.Errorf("after reset: %+v", ev)
	}
	var l listJSON
	if e.call("GET", "/api/v1/messages", "", 200, &l); l.Total != 0 {
		t.Errorf("after reset: %d messages", l.Total)
	}
}

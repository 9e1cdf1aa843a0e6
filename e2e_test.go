package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/smtp"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TestEndToEnd runs the built binary and follows one message through every
// protocol with clients intray did not write: net/smtp sends it, the wait
// API sees it, curl reads it over POP3, go-imap's client over IMAP, and an
// API delete removes it from the IMAP view.
func TestEndToEnd(t *testing.T) {
	p := startBinary(t)
	base := "http://" + p.addrs["http"]
	raw := "From: Shop <shop@example.com>\r\nTo: alice@example.com\r\nSubject: Confirm your account\r\n\r\n" +
		"Click https://example.com/confirm?t=abc to confirm.\r\n..and a line that starts with a dot\r\n"

	// A waiter registered before the message exists.
	type waitResult struct {
		status int
		body   map[string]any
	}
	waited := make(chan waitResult, 1)
	go func() {
		resp, err := http.Get(base + "/api/v1/messages/wait?to=alice@example.com&timeout=20s")
		if err != nil {
			waited <- waitResult{status: -1}
			return
		}
		defer resp.Body.Close()
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		waited <- waitResult{resp.StatusCode, body}
	}()

	c, err := smtp.Dial(p.addrs["smtp"])
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("shop@example.com"); err != nil {
		t.Fatal(err)
	}
	for _, rcpt := range []string{"alice@example.com", "hidden@example.com"} {
		if err := c.Rcpt(rcpt); err != nil {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, raw)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c.Quit()

	res := <-waited
	if res.status != http.StatusOK {
		t.Fatalf("wait: status %d", res.status)
	}
	msgs, _ := res.body["messages"].([]any)
	if len(msgs) != 1 {
		t.Fatalf("wait returned %v", res.body)
	}
	id := msgs[0].(map[string]any)["id"].(string)

	var full struct {
		Subject string   `json:"subject"`
		Links   []string `json:"links"`
		Bcc     []struct {
			Address string `json:"address"`
		} `json:"bcc"`
	}
	getJSON(t, base+"/api/v1/messages/"+id, &full)
	if full.Subject != "Confirm your account" || len(full.Links) != 1 || full.Links[0] != "https://example.com/confirm?t=abc" {
		t.Errorf("message = %+v", full)
	}
	resp, err := http.Get(base + "/api/v1/messages/" + id + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(stored) != raw {
		t.Fatalf("raw = %q, want %q", stored, raw)
	}

	// POP3 through curl, as the Bcc recipient.
	if curl, err := exec.LookPath("curl"); err == nil {
		out, err := exec.Command(curl, "-sS", "--max-time", "10", "pop3://"+p.addrs["pop3"]+"/1", "-u", "hidden@example.com:any").Output()
		if err != nil {
			t.Fatalf("curl pop3: %v", err)
		}
		if !bytes.Equal(out, stored) {
			t.Errorf("POP3 RETR = %q", out)
		}
	} else {
		t.Log("curl not found: POP3 leg skipped")
	}

	// IMAP with go-imap's client, as alice; expunges are collected as they
	// arrive so the API delete can be seen during IDLE.
	expunged := make(chan uint32, 4)
	ic, err := imapclient.DialInsecure(p.addrs["imap"], &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Expunge: func(seq uint32) { expunged <- seq },
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	if err := ic.Login("alice@example.com", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := ic.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != 1 {
		t.Fatalf("select: %+v %v", sel, err)
	}
	fetched, err := ic.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{
		Envelope: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	}).Collect()
	if err != nil || len(fetched) != 1 {
		t.Fatalf("fetch: %v", err)
	}
	if fetched[0].Envelope.Subject != "Confirm your account" {
		t.Errorf("envelope subject %q", fetched[0].Envelope.Subject)
	}
	for _, b := range fetched[0].BodySection {
		if string(b.Bytes) != raw {
			t.Errorf("IMAP BODY[] = %q", b.Bytes)
		}
	}

	// Deleting through the API removes it everywhere: the IDLE session is
	// told at once with an untagged EXPUNGE of sequence number 1.
	idle, err := ic.Idle()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodDelete, base+"/api/v1/messages/"+id, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("delete: %v %v", resp, err)
	}
	select {
	case seq := <-expunged:
		if seq != 1 {
			t.Errorf("EXPUNGE %d, want 1", seq)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no EXPUNGE during IDLE after the API delete")
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
	var list struct {
		Total int `json:"total"`
	}
	getJSON(t, base+"/api/v1/messages", &list)
	if list.Total != 0 {
		t.Errorf("total after delete = %d", list.Total)
	}

	// The reset empties every mailbox; the selected session sees it too.
	c2, err := smtp.Dial(p.addrs["smtp"])
	if err != nil {
		t.Fatal(err)
	}
	sendWith(t, c2, "alice@example.com", raw)
	if err := ic.Noop().Wait(); err != nil || ic.Mailbox().NumMessages != 1 {
		t.Fatalf("after a second delivery: %d messages, %v", ic.Mailbox().NumMessages, err)
	}
	req, _ = http.NewRequest(http.MethodDelete, base+"/api/v1/messages", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("reset: %v %v", resp, err)
	}
	if err := ic.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	if n := ic.Mailbox().NumMessages; n != 0 {
		t.Errorf("IMAP still sees %d messages after the reset", n)
	}
	ic.Logout().Wait()
	p.stop(t)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

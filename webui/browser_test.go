package webui_test

// End-to-end tests of the web inbox in headless Chromium (issue 4): the
// list, live updates, delete, search, the mailbox filter and reconnects.
// browser_view_test.go covers the message view and hostile mail,
// browser_ui_test.go the theme, keyboard, narrow screens, paging and
// performance; the harness is in browser_harness_test.go. Run them with
//
//	INTRAY_BROWSER_TESTS=1 go test ./webui/ -run Browser
//
// Without a browser they skip, unless INTRAY_BROWSER_TESTS=1.

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"intray/memstore"
)

func TestBrowserListsMail(t *testing.T) {
	in := newInbox(t)
	in.send(msg{from: "Alice <alice@example.com>", to: []string{"dev@example.com"}, subject: "First", body: "one"})
	in.send(msg{from: "bob@example.com", to: []string{"dev@example.com"}, subject: "Second", body: "two"})
	in.send(msg{from: "Carol <carol@example.com>", to: []string{"dev@example.com"}, subject: "Third", body: "the third body"})
	in.open()

	in.waitRows("Third", "Second", "First")
	if got := eval[[]string](in, `[...document.querySelectorAll('#list .row .from')].map(e => e.textContent)`); !slices.Equal(got, []string{"Carol", "bob@example.com", "Alice"}) {
		t.Errorf("senders = %q", got)
	}
	if got := in.text("#list .row .row-snippet"); !strings.Contains(got, "the third body") {
		t.Errorf("snippet = %q", got)
	}
	if got := eval[int](in, `document.querySelectorAll('#list .row.unread').length`); got != 3 {
		t.Errorf("unread rows = %d, want 3", got)
	}
	in.waitFor(`document.title === '(3) intray'`, `document.title`)
	if got := in.text("#list-status"); got != "3 messages" {
		t.Errorf("status = %q", got)
	}

	// Opening marks read (by PUT), in the store and in the title.
	second := in.bySubject("Second")
	in.click("#row-" + second.ID)
	in.waitFor(`document.querySelector('#msg-subject').textContent === 'Second'`, `document.querySelector('#msg-subject').textContent`)
	in.waitFor(`document.title === '(2) intray' && !document.querySelector('#row-`+second.ID+`').classList.contains('unread')`, `document.title`)
	if !in.isRead(second.ID) {
		t.Error("opened message is not read in the store")
	}
	in.click("#toggle-read")
	in.waitFor(`document.title === '(3) intray' && document.querySelector('#toggle-read').textContent === 'Mark read'`, `document.title`)
	if in.isRead(second.ID) {
		t.Error("Mark unread left the message read in the store")
	}
	// A change made elsewhere (IMAP, the API) shows up live.
	if err := in.store.SetRead(second.ID, true); err != nil {
		t.Fatal(err)
	}
	in.waitFor(`document.title === '(2) intray' && document.querySelector('#toggle-read').textContent === 'Mark unread'`, `document.title`)
}

func TestBrowserLiveArrival(t *testing.T) {
	in := newInbox(t, withMaxMessages(3))
	in.open()
	in.waitRows()
	in.waitFor(`document.querySelector('.list-empty')?.textContent.includes(`+jsString(in.smtp)+`)`, `document.querySelector('.list-empty')?.textContent`)
	eval[bool](in, `window.__sameDocument = true`)

	in.send(msg{from: "app@example.com", to: []string{"user@example.com"}, subject: "Welcome!", body: "Hi there"})
	in.waitRows("Welcome!")
	in.send(msg{from: "app@example.com", to: []string{"user@example.com"}, subject: "Second one", body: "again"})
	in.waitRows("Second one", "Welcome!")
	in.waitFor(`document.title === '(2) intray'`, `document.title`)

	// Deleted elsewhere (API, IMAP): the row goes.
	in.store.Delete(in.bySubject("Welcome!").ID)
	in.waitRows("Second one")
	// Reset (the test-suite call): everything goes.
	in.add(msg{from: "x@example.com", to: []string{"y@example.com"}, subject: "Injected", body: "b"})
	in.waitRows("Injected", "Second one")
	in.store.Reset()
	in.waitRows()
	in.waitFor(`document.title === 'intray'`, `document.title`)
	// Evicted by the store's limit: the oldest goes.
	for _, s := range []string{"E1", "E2", "E3", "E4"} {
		in.send(msg{from: "x@example.com", to: []string{"y@example.com"}, subject: s, body: s})
	}
	in.waitRows("E4", "E3", "E2")
	in.waitFor(`document.title === '(3) intray' && document.querySelector('#list-status').textContent === '3 messages'`, `document.title + ' ' + document.querySelector('#list-status').textContent`)

	if !eval[bool](in, `window.__sameDocument === true`) {
		t.Error("the page was reloaded")
	}
}

func TestBrowserDelete(t *testing.T) {
	in := newInbox(t)
	for _, s := range []string{"Old", "Middle", "New"} {
		in.send(msg{from: "a@example.com", to: []string{"b@example.com"}, subject: s, body: s})
	}
	in.open()
	in.waitRows("New", "Middle", "Old")
	middle := in.bySubject("Middle")
	in.click("#row-" + middle.ID)
	in.waitFor(`document.querySelector('#msg-subject').textContent === 'Middle'`, "")
	in.click("#delete")
	in.waitRows("New", "Old")
	if _, err := in.store.Get(middle.ID); err == nil {
		t.Error("deleted message still stored")
	}
	// The view moves on to the next message.
	in.waitFor(`document.querySelector('#msg-subject').textContent === 'Old'`, `document.querySelector('#msg-subject').textContent`)

	// Delete all asks first; Cancel keeps everything.
	in.click("#delete-all")
	in.waitFor(`document.querySelector('#confirm').open`, "")
	if got := in.text("#confirm-text"); !strings.Contains(got, "(2)") {
		t.Errorf("confirmation = %q", got)
	}
	in.click(`#confirm button[value=cancel]`)
	in.waitFor(`!document.querySelector('#confirm').open`, "")
	if n := in.store.Stats().Listed; n != 2 {
		t.Fatalf("cancelled delete all left %d messages", n)
	}
	in.click("#delete-all")
	in.click("#confirm-ok")
	in.waitRows()
	if n := in.store.Stats().Listed; n != 0 {
		t.Errorf("delete all left %d messages", n)
	}
	in.waitFor(`document.querySelector('#message').hidden && document.title === 'intray'`, `document.title`)
	if got := in.text("#list-status"); got != "No messages yet." {
		t.Errorf("status = %q", got)
	}
}

func TestBrowserSearch(t *testing.T) {
	in := newInbox(t)
	in.send(msg{from: "billing@shop.example", to: []string{"me@example.com"}, subject: "Invoice 42", body: "Amount due"})
	in.send(msg{from: "team@app.example", to: []string{"me@example.com"}, subject: "Welcome aboard", body: "Glad you joined"})
	in.send(msg{from: "security@app.example", to: []string{"me@example.com"}, subject: "Reset your password", body: "Use this code: 123456"})
	in.open()
	in.waitRows("Reset your password", "Welcome aboard", "Invoice 42")

	search := func(q string) {
		t.Helper()
		in.do(chromedp.Focus(chromedp.CSS("#search")))
		in.key("/") // "/" in the box types, it does not steal focus
		eval[string](in, `(s => { s.value = ''; return s.value })(document.querySelector('#search'))`)
		in.do(chromedp.SendKeys(chromedp.CSS("#search"), q))
	}
	search("invoice")
	in.waitRows("Invoice 42")
	search("from:app.example -subject:welcome")
	in.waitRows("Reset your password")
	search(`"glad you"`)
	in.waitRows("Welcome aboard")
	search("nothing-matches-this")
	in.waitRows()
	if got := in.text("#list-status"); got != "No messages match." {
		t.Errorf("status = %q", got)
	}

	// New mail that matches the search shows up live; other mail does not.
	search("invoice")
	in.waitRows("Invoice 42")
	in.send(msg{from: "billing@shop.example", to: []string{"me@example.com"}, subject: "Invoice 43", body: "Again"})
	in.send(msg{from: "other@example.com", to: []string{"me@example.com"}, subject: "Unrelated", body: "x"})
	in.waitRows("Invoice 43", "Invoice 42")

	// Esc clears the search.
	in.key(kb.Escape)
	in.waitRows("Unrelated", "Invoice 43", "Reset your password", "Welcome aboard", "Invoice 42")
}

func TestBrowserMailboxFilter(t *testing.T) {
	in := newInbox(t)
	in.send(msg{from: "x@example.com", to: []string{"alice@example.com"}, subject: "For Alice 1", body: "a"})
	in.send(msg{from: "x@example.com", to: []string{"alice@example.com"}, subject: "For Alice 2", body: "a"})
	in.send(msg{from: "x@example.com", to: []string{"bob@example.com"}, bcc: []string{"carol@example.com"}, subject: "For Bob", body: "b"})
	in.open()
	in.waitRows("For Bob", "For Alice 2", "For Alice 1")
	options := func() []string {
		return eval[[]string](in, `[...document.querySelectorAll('#mailbox option')].map(o => o.textContent)`)
	}
	in.waitFor(`document.querySelectorAll('#mailbox option').length === 4`, `[...document.querySelectorAll('#mailbox option')].map(o => o.textContent).join(' | ')`)
	want := []string{"All mailboxes", "alice@example.com (2, 2 unread)", "bob@example.com (1, 1 unread)", "carol@example.com (1, 1 unread)"}
	if got := options(); !slices.Equal(got, want) {
		t.Errorf("mailbox options = %q, want %q", got, want)
	}

	choose := func(addr string) {
		t.Helper()
		eval[bool](in, `(s => { s.value = `+jsString(addr)+`; s.dispatchEvent(new Event('change')); return true })(document.querySelector('#mailbox'))`)
	}
	choose("carol@example.com") // a Bcc recipient has a mailbox too
	in.waitRows("For Bob")
	choose("alice@example.com")
	in.waitRows("For Alice 2", "For Alice 1")

	// Live: mail for the chosen mailbox appears, other mail does not, and
	// the counts follow.
	in.send(msg{from: "x@example.com", to: []string{"bob@example.com"}, subject: "Bob again", body: "b"})
	in.send(msg{from: "x@example.com", to: []string{"alice@example.com"}, subject: "For Alice 3", body: "a"})
	in.waitRows("For Alice 3", "For Alice 2", "For Alice 1")
	in.waitFor(`[...document.querySelectorAll('#mailbox option')].map(o => o.textContent).join('|') === 'All mailboxes|alice@example.com (3, 3 unread)|bob@example.com (2, 2 unread)|carol@example.com (1, 1 unread)'`,
		`[...document.querySelectorAll('#mailbox option')].map(o => o.textContent).join('|')`)
	in.click("#row-" + in.bySubject("For Alice 1").ID)
	in.waitFor(`[...document.querySelectorAll('#mailbox option')].some(o => o.textContent === 'alice@example.com (3, 2 unread)')`,
		`[...document.querySelectorAll('#mailbox option')].map(o => o.textContent).join('|')`)

	choose("")
	in.waitRows("For Alice 3", "Bob again", "For Bob", "For Alice 2", "For Alice 1")
}

func TestBrowserReconnect(t *testing.T) {
	in := newInbox(t)
	in.send(msg{from: "a@example.com", to: []string{"b@example.com"}, subject: "Before", body: "1"})
	in.open()
	in.waitRows("Before")
	in.stopServer()
	in.waitFor(`document.querySelector('#conn').dataset.state !== 'live'`, `document.querySelector('#conn').textContent`)
	// Mail that arrives while the page is cut off is there after the reconnect.
	in.send(msg{from: "a@example.com", to: []string{"b@example.com"}, subject: "While away", body: "2"})
	in.restartServer()
	in.waitReady()
	in.waitRows("While away", "Before")
	in.send(msg{from: "a@example.com", to: []string{"b@example.com"}, subject: "After", body: "3"})
	in.waitRows("After", "While away", "Before")
}

// TestBrowserDeepLinkMarksRead: a message opened from its URL is marked
// read like one opened from the list, although the websocket's arrival
// reloads it while its first load is still under way.
func TestBrowserDeepLinkMarksRead(t *testing.T) {
	in := newInbox(t)
	in.send(msg{from: "alice@example.com", to: []string{"dev@example.com"}, subject: "Linked", body: "hi"})
	m := in.bySubject("Linked")
	sub := in.store.Subscribe(0)
	defer sub.Close()
	in.do(chromedp.Navigate(in.url + "#/m/" + m.ID))
	in.waitReady()
	in.waitFor(`document.querySelector('#msg-subject').textContent === 'Linked'`, `document.querySelector('#msg-subject').textContent`)
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-sub.C:
			if ev.Type == memstore.EventRead && ev.ID == m.ID && ev.Read {
				return
			}
		case <-timeout:
			t.Fatal("a message opened from its URL was not marked read")
		}
	}
}

package imapd

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// updates collects a client's unilateral responses.
type updates struct {
	exists  chan uint32
	expunge chan uint32
	flags   chan []imap.Flag
}

func (env *testEnv) updatingClient(user string) (*imapclient.Client, *updates) {
	env.t.Helper()
	u := &updates{exists: make(chan uint32, 16), expunge: make(chan uint32, 16), flags: make(chan []imap.Flag, 16)}
	opts := &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Expunge: func(seq uint32) { u.expunge <- seq },
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				u.exists <- *d.NumMessages
			}
		},
		Fetch: func(m *imapclient.FetchMessageData) {
			buf, err := m.Collect()
			if err == nil && buf.Flags != nil {
				u.flags <- buf.Flags
			}
		},
	}}
	c, err := imapclient.DialInsecure(env.addr, opts)
	if err != nil {
		env.t.Fatal(err)
	}
	env.t.Cleanup(func() { _ = c.Close() })
	if err := c.Login(user, "x").Wait(); err != nil {
		env.t.Fatal(err)
	}
	return c, u
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestIdleArrivalAndAPIDelete(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, "bob@example.com")
	c, u := env.updatingClient("bob@example.com")
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idling := env.hook("idle")
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	recv(t, idling, "IDLE")
	m := env.add(simpleMsg, "bob@example.com")
	if n := recv(t, u.exists, "EXISTS"); n != 2 {
		t.Errorf("EXISTS %d, want 2", n)
	}
	env.store.Delete(m.ID) // as the HTTP API does
	if seq := recv(t, u.expunge, "EXPUNGE"); seq != 2 {
		t.Errorf("EXPUNGE %d, want 2", seq)
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
	if n := c.Mailbox().NumMessages; n != 1 {
		t.Errorf("client counts %d messages", n)
	}
}

// TestUpdatesAtSafePoints checks RFC 3501 7.4.1: an expunge by someone else
// is not announced during FETCH, STORE or SEARCH, but at the next NOOP; new
// mail and flag changes are announced after any command.
func TestUpdatesAtSafePoints(t *testing.T) {
	env := newEnv(t)
	m1 := env.add(simpleMsg, "bob@example.com")
	env.add(simpleMsg, "bob@example.com")
	r := env.raw()
	r.line()
	r.cmd("a", "LOGIN bob@example.com x")
	r.cmd("b", "SELECT INBOX")
	other := env.client("bob@example.com")
	if _, err := other.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := other.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	env.store.Delete(m1.ID)
	env.add(simpleMsg, "bob@example.com")
	got := r.cmd("c", "FETCH 1 UID")
	want := "* 1 FETCH (UID 1)\r\n* 3 EXISTS\r\n* 3 RECENT\r\n* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))\r\nc OK FETCH completed\r\n"
	if got != want {
		t.Errorf("FETCH answer:\n%s\nwant:\n%s", got, want)
	}
	if got := r.cmd("d", "SEARCH ALL"); got != "* SEARCH 1 2 3\r\nd OK SEARCH completed\r\n" {
		t.Errorf("SEARCH answer %q", got)
	}
	if got := r.cmd("e", "NOOP"); got != "* 1 EXPUNGE\r\ne OK NOOP completed\r\n" {
		t.Errorf("NOOP answer %q", got)
	}
	if got := r.cmd("f", "UID SEARCH ALL"); !strings.HasPrefix(got, "* SEARCH 2 3\r\n") {
		t.Errorf("UID SEARCH answer %q", got)
	}
}

// TestResetAndLag: a store Reset reaches a selected session as expunges,
// and a session whose subscription overflowed resynchronises.
func TestResetAndLag(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, "bob@example.com")
	r := env.raw()
	r.line()
	r.cmd("a", "LOGIN bob@example.com x")
	r.cmd("b", "SELECT INBOX")
	env.store.Reset()
	if got := r.cmd("c", "NOOP"); got != "* 1 EXPUNGE\r\nc OK NOOP completed\r\n" {
		t.Errorf("after reset: %q", got)
	}
	for range 1500 { // more than the subscription buffer
		env.add(simpleMsg, "other@example.com")
	}
	env.add(simpleMsg, "bob@example.com")
	if got := r.cmd("d", "NOOP"); got != "* 1 EXISTS\r\n* 1 RECENT\r\nd OK NOOP completed\r\n" {
		t.Errorf("after lag: %q", got)
	}
}

package pop3d

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"intray/memstore"
)

// Sample messages: plain, with lines that start with '.', and without a
// final CRLF.
const (
	msgPlain   = "From: a@example.com\r\nSubject: one\r\n\r\nhello\r\nworld\r\n"
	msgDots    = "Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n"
	msgNoCRLF  = "Subject: three\r\n\r\nline1\r\nline2"
	msgNoBody  = "Subject: headers only\r\nX-A: b\r\n"
	msgDotHead = ".Subject: dot first\r\n\r\nbody\r\n"
)

func fakeServer(t *testing.T, f *fakeStore) string {
	t.Helper()
	return startServer(t, &Server{Store: f})
}

func TestTransactionTranscript(t *testing.T) {
	addr := fakeServer(t, newFakeStore(msgPlain, msgDots, msgNoCRLF))
	total := len(msgPlain) + len(msgDots) + len(msgNoCRLF)
	c := play(t, addr, []step{
		{send: "USER joe", want: "+OK send PASS"},
		{send: "PASS any secret", want: fmt.Sprintf("+OK maildrop has 3 messages (%d octets)", total)},
		{send: "STAT", want: fmt.Sprintf("+OK 3 %d", total)},
		{send: "LIST", golden: "list"},
		{send: "LIST 2", want: fmt.Sprintf("+OK 2 %d", len(msgDots))},
		{send: "UIDL", golden: "uidl"},
		{send: "UIDL 3", want: "+OK 3 7.3"},
		{send: "RETR 1", golden: "retr1"},
		{send: "RETR 2", golden: "retr2"},
		{send: "RETR 3", golden: "retr3"},
		{send: "TOP 1 0", golden: "top1-0"},
		{send: "TOP 2 2", golden: "top2-2"},
		{send: "TOP 3 99", golden: "top3-99"},
		{send: "NOOP", want: "+OK"},
		{send: "noop", want: "+OK"},
		{send: "DELE 2", want: "+OK message 2 deleted"},
		{send: "STAT", want: fmt.Sprintf("+OK 2 %d", total-len(msgDots))},
		{send: "LIST", golden: "list-after-dele"},
		{send: "UIDL", golden: "uidl-after-dele"},
		{send: "RSET", want: fmt.Sprintf("+OK maildrop has 3 messages (%d octets)", total)},
		{send: "DELE 1", want: "+OK message 1 deleted"},
		{send: "CAPA", golden: "capa-transaction"},
		{send: "QUIT", want: "+OK intray POP3 server signing off (1 messages deleted)"},
	})
	c.expectEOF()
}

func TestTransactionErrors(t *testing.T) {
	f := newFakeStore(msgPlain, msgDots)
	addr := fakeServer(t, f)
	c := play(t, addr, []step{
		{send: "USER joe", want: "+OK send PASS"},
		{send: "PASS x", want: fmt.Sprintf("+OK maildrop has 2 messages (%d octets)", len(msgPlain)+len(msgDots))},
		{send: "USER joe", want: "-ERR command not valid in this state"},
		{send: "PASS x", want: "-ERR command not valid in this state"},
		{send: "APOP joe 0123456789abcdef0123456789abcdef", want: "-ERR command not valid in this state"},
		{send: "AUTH PLAIN", want: "-ERR command not valid in this state"},
		{send: "STLS", want: "-ERR command not valid in this state"},
		{send: "STAT 1", want: "-ERR syntax error"},
		{send: "LIST x", want: "-ERR syntax error"},
		{send: "LIST 1 2", want: "-ERR syntax error"},
		{send: "LIST 0", want: "-ERR no such message"},
		{send: "LIST 3", want: "-ERR no such message"},
		{send: "UIDL -1", want: "-ERR syntax error"},
		{send: "UIDL 9", want: "-ERR no such message"},
		{send: "RETR", want: "-ERR syntax error"},
		{send: "RETR 1x", want: "-ERR syntax error"},
		{send: "RETR 1234567890", want: "-ERR syntax error"},
		{send: "RETR 0", want: "-ERR no such message"},
		{send: "RETR 3", want: "-ERR no such message"},
		{send: "TOP 1", want: "-ERR syntax error"},
		{send: "TOP 1 x", want: "-ERR syntax error"},
		{send: "TOP 1 -1", want: "-ERR syntax error"},
		{send: "TOP 5 1", want: "-ERR no such message"},
		{send: "DELE", want: "-ERR syntax error"},
		{send: "DELE 3", want: "-ERR no such message"},
		{send: "DELE 1", want: "+OK message 1 deleted"},
		{send: "DELE 1", want: "-ERR message 1 already deleted"},
		{send: "RETR 1", want: "-ERR message 1 already deleted"},
		{send: "TOP 1 1", want: "-ERR message 1 already deleted"},
		{send: "LIST 1", want: "-ERR message 1 already deleted"},
		{send: "UIDL 1", want: "-ERR message 1 already deleted"},
		{send: "NOOP x", want: "-ERR syntax error"},
		{send: "RSET x", want: "-ERR syntax error"},
		{send: "QUIT now", want: "-ERR syntax error"},
		{send: "XTND", want: "-ERR unknown command"},
		{send: "RSET", want: fmt.Sprintf("+OK maildrop has 2 messages (%d octets)", len(msgPlain)+len(msgDots))},
		{send: "QUIT", want: "+OK intray POP3 server signing off (0 messages deleted)"},
	})
	c.expectEOF()
	if len(f.removed) != 0 {
		t.Errorf("QUIT after RSET removed %v", f.removed)
	}
}

func TestDeletedElsewhere(t *testing.T) {
	f := newFakeStore(msgPlain, msgDots)
	c := dial(t, fakeServer(t, f))
	c.expect("USER joe", "+OK send PASS")
	c.cmd("PASS x")
	f.drop(1)
	c.expect("RETR 1", "-ERR [SYS/PERM] message 1 was deleted by another session")
	c.expect("TOP 1 0", "-ERR [SYS/PERM] message 1 was deleted by another session")
	c.expect("LIST 1", fmt.Sprintf("+OK 1 %d", len(msgPlain))) // still in the snapshot
	if got := c.cmd("RETR 2"); !strings.HasPrefix(got, "+OK ") {
		t.Fatalf("RETR 2 after a failure: %q", got)
	}
	c.multi()
	c.expect("DELE 1", "+OK message 1 deleted") // deleting a gone message is harmless
	c.expect("QUIT", "+OK intray POP3 server signing off (1 messages deleted)")
}

func TestStoreErrors(t *testing.T) {
	f := newFakeStore(msgPlain)
	f.snapErr = errors.New("boom")
	c := dial(t, fakeServer(t, f))
	c.expect("USER joe", "+OK send PASS")
	c.expect("PASS x", "-ERR [SYS/TEMP] cannot open the maildrop, try again later")
	f.mu.Lock()
	f.snapErr, f.entriesErr = nil, errors.New("boom")
	f.mu.Unlock()
	c.expect("USER joe", "+OK send PASS")
	c.cmd("PASS x")
	c.expect("RETR 1", "-ERR [SYS/TEMP] internal server error")
	c.expect("DELE 1", "+OK message 1 deleted")
	f.mu.Lock()
	f.removeErr = errors.New("boom")
	f.mu.Unlock()
	c.expect("QUIT", "-ERR [SYS/TEMP] some deleted messages not removed")
	c.expectEOF()
}

func TestTopOf(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		n    int
		want string
	}{
		{msgPlain, 0, "From: a@example.com\r\nSubject: one\r\n\r\n"},
		{msgPlain, 1, "From: a@example.com\r\nSubject: one\r\n\r\nhello\r\n"},
		{msgPlain, 5, msgPlain},
		{msgNoCRLF, 2, msgNoCRLF},
		{msgNoCRLF, 1, "Subject: three\r\n\r\nline1\r\n"},
		{msgNoBody, 3, msgNoBody},
		{"\r\nbody\r\nmore\r\n", 1, "\r\nbody\r\n"},
		{"", 1, ""},
	} {
		if got := string(topOf([]byte(tc.raw), tc.n)); got != tc.want {
			t.Errorf("topOf(%q, %d) = %q, want %q", tc.raw, tc.n, got, tc.want)
		}
	}
}

// addMail stores raw for the given recipients.
func addMail(t testing.TB, st *memstore.Store, raw string, rcpt ...string) *memstore.Message {
	t.Helper()
	m, err := st.Add(memstore.Envelope{MailFrom: "a@example.com", RcptTo: rcpt}, []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// login dials and logs in as name.
func login(t testing.TB, addr, name string) *client {
	t.Helper()
	c := dial(t, addr)
	c.expect("USER "+name, "+OK send PASS")
	if got := c.cmd("PASS pw"); !strings.HasPrefix(got, "+OK maildrop has ") {
		t.Fatalf("PASS: %q", got)
	}
	return c
}

// retr fetches message n and returns the unstuffed data.
func (c *client) retr(n int) string {
	c.t.Helper()
	got := c.cmd(fmt.Sprintf("RETR %d", n))
	if !strings.HasPrefix(got, "+OK ") {
		c.t.Fatalf("RETR %d: %q", n, got)
	}
	return unstuff(c.multi())
}

func TestRetrBytesEqualStored(t *testing.T) {
	st := memstore.New(memstore.Options{})
	raws := []string{msgPlain, msgDots, msgNoCRLF, msgNoBody, msgDotHead,
		"Subject: x\r\n\r\n" + strings.Repeat("line .\r\n.\r\n..\r\n", 2000)}
	for _, r := range raws {
		addMail(t, st, r, "bob@example.com")
	}
	c := login(t, startServer(t, &Server{Store: st}), "BOB@example.com")
	for i, r := range raws {
		want := r
		if !strings.HasSuffix(want, "\r\n") {
			want += "\r\n" // added before the terminator, not counted
		}
		c.send(fmt.Sprintf("RETR %d", i+1))
		if got, wantOK := c.line(), fmt.Sprintf("+OK %d octets", len(r)); got != wantOK {
			t.Errorf("RETR %d: %q, want %q", i+1, got, wantOK)
		}
		if got := unstuff(c.multi()); got != want {
			t.Errorf("RETR %d: got %q, want %q", i+1, got, want)
		}
	}
}

func TestUIDLStableAcrossSessions(t *testing.T) {
	st := memstore.New(memstore.Options{})
	for i := range 3 {
		addMail(t, st, fmt.Sprintf("Subject: %d\r\n\r\nx\r\n", i), "bob@example.com")
	}
	addr := startServer(t, &Server{Store: st})
	uidl := func(name string) string {
		c := login(t, addr, name)
		c.send("UIDL")
		c.line()
		out := c.multi()
		c.expect("QUIT", "+OK intray POP3 server signing off (0 messages deleted)")
		return out
	}
	first := uidl("bob@example.com")
	if again := uidl("bob@example.com"); again != first {
		t.Errorf("UIDL changed between sessions:\n%q\n%q", first, again)
	}
	c := login(t, addr, "bob@example.com")
	c.expect("DELE 1", "+OK message 1 deleted")
	c.cmd("QUIT")
	after := uidl("bob@example.com")
	lines := strings.Split(first, "\r\n")
	// message 2 and 3 keep their unique-ids, renumbered 1 and 2.
	if want := "1 " + strings.SplitN(lines[1], " ", 2)[1] + "\r\n2 " + strings.SplitN(lines[2], " ", 2)[1] + "\r\n.\r\n"; after != want {
		t.Errorf("UIDL after DELE 1 = %q, want %q", after, want)
	}
}

// TestDeleSemantics checks DELE/RSET/QUIT per mailbox: a recipient's QUIT
// removes from that mailbox only, the catch-all's removes everywhere, and a
// dropped connection commits nothing.
func TestDeleSemantics(t *testing.T) {
	st := memstore.New(memstore.Options{})
	shared := addMail(t, st, "Subject: shared\r\n\r\nx\r\n", "bob@example.com", "ann@example.com")
	addMail(t, st, "Subject: bob only\r\n\r\nx\r\n", "bob@example.com")
	addr := startServer(t, &Server{Store: st})
	count := func(login string) int {
		info, _, err := st.Snapshot(login, memstore.Inbox)
		if err != nil {
			t.Fatal(err)
		}
		return info.Messages
	}

	// A dropped connection commits nothing.
	c := login(t, addr, "bob@example.com")
	c.expect("DELE 1", "+OK message 1 deleted")
	c.expect("NOOP", "+OK")
	_ = c.nc.Close()
	c = login(t, addr, "bob@example.com") // a new session sees both again
	c.expect("STAT", fmt.Sprintf("+OK 2 %d", shared.Size()+len("Subject: bob only\r\n\r\nx\r\n")))

	// RSET then QUIT commits nothing.
	c.expect("DELE 1", "+OK message 1 deleted")
	c.cmd("RSET")
	c.expect("QUIT", "+OK intray POP3 server signing off (0 messages deleted)")
	if got := count("bob@example.com"); got != 2 {
		t.Fatalf("bob has %d messages after RSET+QUIT, want 2", got)
	}

	// Recipient QUIT removes from that mailbox only.
	c = login(t, addr, "bob@example.com")
	c.expect("DELE 1", "+OK message 1 deleted")
	c.expect("QUIT", "+OK intray POP3 server signing off (1 messages deleted)")
	if b, a, all := count("bob@example.com"), count("ann@example.com"), count("anyone"); b != 1 || a != 1 || all != 2 {
		t.Fatalf("after bob's DELE: bob %d ann %d catch-all %d, want 1 1 2", b, a, all)
	}

	// Catch-all QUIT removes everywhere.
	c = login(t, addr, "admin")
	c.expect("DELE 1", "+OK message 1 deleted") // the shared message, oldest first
	c.expect("QUIT", "+OK intray POP3 server signing off (1 messages deleted)")
	if b, a, all := count("bob@example.com"), count("ann@example.com"), count(""); b != 1 || a != 0 || all != 1 {
		t.Fatalf("after catch-all DELE: bob %d ann %d catch-all %d, want 1 0 1", b, a, all)
	}
}

// TestConcurrentSessions runs sessions on one mailbox at once: each sees its
// snapshot, reads every message, and the deletions of all commit.
func TestConcurrentSessions(t *testing.T) {
	st := memstore.New(memstore.Options{})
	const n = 20
	for i := range n {
		addMail(t, st, fmt.Sprintf("Subject: %d\r\n\r\n.body %d\r\n", i, i), "bob@example.com")
	}
	addr := startServer(t, &Server{Store: st})
	// Every session logs in before any quits, so all see n messages.
	clients := make([]*rawClient, n)
	for i := range clients {
		c, err := rawDial(addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, cmd := range []string{"USER bob@example.com", "PASS x"} {
			if l, err := c.cmd(cmd); err != nil || !strings.HasPrefix(l, "+OK") {
				t.Fatalf("%s: %q %v", cmd, l, err)
			}
		}
		clients[i] = c
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- session(c, i+1, n)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if info, _, _ := st.Snapshot("bob@example.com", memstore.Inbox); info.Messages != 0 {
		t.Errorf("%d messages left, want 0", info.Messages)
	}
}

// session reads every message (which other sessions may have removed),
// deletes message del and quits.
func session(c *rawClient, del, n int) error {
	for i := 1; i <= n; i++ {
		l, err := c.cmd(fmt.Sprintf("RETR %d", i))
		switch {
		case err != nil:
			return err
		case strings.HasPrefix(l, "+OK"):
			data, err := c.multi()
			if err != nil {
				return err
			}
			if want := fmt.Sprintf("Subject: %d\r\n\r\n.body %d\r\n", i-1, i-1); data != want {
				return fmt.Errorf("RETR %d: %q, want %q", i, data, want)
			}
		case l != fmt.Sprintf("-ERR [SYS/PERM] message %d was deleted by another session", i):
			return fmt.Errorf("RETR %d: %q", i, l)
		}
	}
	if l, err := c.cmd(fmt.Sprintf("DELE %d", del)); err != nil || !strings.HasPrefix(l, "+OK") {
		return fmt.Errorf("DELE: %q %v", l, err)
	}
	if l, err := c.cmd("QUIT"); err != nil || !strings.HasPrefix(l, "+OK") {
		return fmt.Errorf("QUIT: %q %v", l, err)
	}
	return nil
}

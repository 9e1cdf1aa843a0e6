package memstore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func msg(from, to, subject, body string) []byte {
	return []byte("From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject +
		"\r\nDate: Mon, 2 Jan 2006 15:04:05 -0700\r\n\r\n" + body + "\r\n")
}

func mustAdd(t testing.TB, s *Store, rcpts []string, raw []byte) *Message {
	t.Helper()
	m, err := s.Add(Envelope{MailFrom: "sender@example.com", RcptTo: rcpts}, raw)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func uids(es []Entry) []uint32 {
	out := make([]uint32, len(es))
	for i, e := range es {
		out[i] = e.UID
	}
	return out
}

func snapshot(t testing.TB, s *Store, login, name string) []Entry {
	t.Helper()
	_, es, err := s.Snapshot(login, name)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestAddDeliversToCatchAllAndEachRecipient(t *testing.T) {
	s := New(Options{})
	m := mustAdd(t, s, []string{"Alice@Example.com", "alice@example.com", "bob@example.com"}, msg("a@x", "alice@example.com", "hi", "body"))
	if len(m.ID) != 11 || strings.ContainsAny(m.ID, "/+=") {
		t.Fatalf("id %q not short and URL-safe", m.ID)
	}
	for login, want := range map[string]int{"anything": 1, "ALICE@example.com": 1, "bob@example.com": 1, "carol@example.com": 0} {
		if got := len(snapshot(t, s, login, "inbox")); got != want {
			t.Errorf("%s: %d messages, want %d", login, got, want)
		}
	}
	if got := s.Recipients(); len(got) != 2 || got[0].Address != "alice@example.com" || got[1].Address != "bob@example.com" || got[0].Unread != 1 {
		t.Errorf("recipients = %+v", got)
	}
	e, err := s.Get(m.ID)
	if err != nil || e.Msg != m || e.Flags.Has(FlagSeen) {
		t.Fatalf("Get = %+v, %v", e, err)
	}
	if m.Subject != "hi" || m.From.Address != "a@x" || len(m.To) != 1 {
		t.Errorf("summary: %+v %+v %q", m.From, m.To, m.Subject)
	}
	if _, err := s.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get unknown: %v", err)
	}
}

// TestAddCopiesWhatItKeeps: Add packs the bytes and every string it keeps
// into slab memory, so the caller may reuse its buffers at once (smtpd
// reuses its DATA buffer), and two messages never share bytes.
func TestAddCopiesWhatItKeeps(t *testing.T) {
	s := New(Options{})
	raw := []byte("From: \"Ann\" <ann@example.com>\r\nTo: Bob <bob@example.com>, c@example.com\r\n" +
		"Cc: d@example.com\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n\r\nHello there.\r\n")
	rcpts := []string{"bob@example.com", "c@example.com"}
	env := Envelope{MailFrom: "ann@example.com", RcptTo: rcpts, Transcript: "C: DATA\r\nS: 250 OK\r\n"}
	m, err := s.Add(env, raw)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%q %q %+v %+v %+v %q %q %q %q", m.Raw, m.Envelope.RcptTo, m.From, m.To, m.Cc,
		m.Subject, m.Snippet, m.Envelope.MailFrom, m.Envelope.Transcript)
	for i := range raw {
		raw[i] = 'X'
	}
	rcpts[0], rcpts[1] = "mallory@example.com", "eve@example.com"
	next := mustAdd(t, s, []string{"z@example.com"}, msg("z@z", "z@z", "second", "other body"))
	got := fmt.Sprintf("%q %q %+v %+v %+v %q %q %q %q", m.Raw, m.Envelope.RcptTo, m.From, m.To, m.Cc,
		m.Subject, m.Snippet, m.Envelope.MailFrom, m.Envelope.Transcript)
	if got != want {
		t.Fatalf("message changed with the caller's buffers:\n got %s\nwant %s", got, want)
	}
	if m.Subject != "café" || m.From.Name != "Ann" || len(m.To) != 2 || m.Cc[0].Address != "d@example.com" || m.Snippet != "Hello there." {
		t.Errorf("summary = %s", got)
	}
	if next.Subject != "second" || string(next.Raw[:8]) != "From: z@" {
		t.Errorf("next message: %q %q", next.Subject, next.Raw)
	}
}

// TestEmptyMessageFirst: an empty message (IMAP APPEND {0}, BDAT 0 LAST)
// may be the first a store ever gets.
func TestEmptyMessageFirst(t *testing.T) {
	for _, add := range map[string]func(s *Store) error{
		"append": func(s *Store) error { _, _, err := s.Append("bob@x", Inbox, nil, 0, nil, time.Time{}); return err },
		"add":    func(s *Store) error { _, err := s.Add(Envelope{}, nil); return err },
	} {
		s := New(Options{})
		if err := add(s); err != nil {
			t.Fatal(err)
		}
		if st := s.Stats(); st.Messages != 1 || st.Bytes != 0 {
			t.Errorf("stats %+v", st)
		}
	}
}

func TestNormalizeCRLF(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a\r\nb\r\n", "a\r\nb\r\n"},
		{"a\nb\n", "a\r\nb\r\n"},
		{"a\rb\r", "a\r\nb\r\n"},
		{"a\r\n\nb\r\r\n", "a\r\n\r\nb\r\n\r\n"},
		{"no newline", "no newline"},
	}
	for _, tt := range tests {
		if got := string(NormalizeCRLF([]byte(tt.in))); got != tt.want {
			t.Errorf("NormalizeCRLF(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTooLarge(t *testing.T) {
	s := New(Options{MaxBytes: 10})
	if _, err := s.Add(Envelope{}, []byte("01234567890")); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if st := s.Stats(); st.Messages != 0 {
		t.Fatalf("stored %d", st.Messages)
	}
}

func TestDeleteSemantics(t *testing.T) {
	tests := []struct {
		name          string
		del           func(s *Store, m *Message)
		catchAll, bob int
	}{
		{"recipient expunge keeps catch-all", func(s *Store, m *Message) {
			es := snapshot(t, s, "bob@x", Inbox)
			s.SetFlags("bob@x", Named(Inbox), uids(es), FlagsAdd, FlagDeleted, nil)
			s.Expunge("bob@x", Named(Inbox), nil)
		}, 1, 0},
		{"recipient remove (POP3) keeps catch-all", func(s *Store, m *Message) {
			s.Remove("bob@x", Inbox, uids(snapshot(t, s, "bob@x", Inbox)))
		}, 1, 0},
		{"catch-all expunge removes everywhere", func(s *Store, m *Message) {
			es := snapshot(t, s, "admin", Inbox)
			s.SetFlags("admin", Named(Inbox), uids(es), FlagsAdd, FlagDeleted, nil)
			s.Expunge("admin", Named(Inbox), nil)
		}, 0, 0},
		{"API delete removes everywhere", func(s *Store, m *Message) { s.Delete(m.ID) }, 0, 0},
		{"reset removes everywhere", func(s *Store, m *Message) { s.Reset() }, 0, 0},
		{"expunge without \\Deleted removes nothing", func(s *Store, m *Message) { s.Expunge("bob@x", Named(Inbox), nil) }, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{})
			m := mustAdd(t, s, []string{"bob@x", "carol@x"}, msg("a@x", "bob@x", "s", "b"))
			tt.del(s, m)
			if got := len(snapshot(t, s, "admin", Inbox)); got != tt.catchAll {
				t.Errorf("catch-all has %d, want %d", got, tt.catchAll)
			}
			if got := len(snapshot(t, s, "bob@x", Inbox)); got != tt.bob {
				t.Errorf("bob has %d, want %d", got, tt.bob)
			}
			if tt.catchAll == 0 {
				if got := len(snapshot(t, s, "carol@x", Inbox)); got != 0 {
					t.Errorf("carol still has %d", got)
				}
				if st := s.Stats(); st.Messages != 0 || st.Bytes != 0 {
					t.Errorf("stats after delete everywhere: %+v", st)
				}
			}
		})
	}
}

func TestPerMailboxFlagsAndRead(t *testing.T) {
	s := New(Options{})
	m := mustAdd(t, s, []string{"bob@x"}, msg("a@x", "bob@x", "s", "b"))
	sub := s.Subscribe(0)
	defer sub.Close()
	bob := snapshot(t, s, "bob@x", Inbox)
	if _, err := s.SetFlags("bob@x", Named(Inbox), uids(bob), FlagsAdd, FlagSeen|FlagFlagged, []string{"$Label1"}); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Get(m.ID); e.Flags.Has(FlagSeen) {
		t.Fatal("recipient \\Seen leaked into the catch-all read state")
	}
	ev := <-sub.C
	if ev.Type != EventMailbox || ev.Changes[0].Kind != ChangeFlags || ev.Changes[0].Entries[0].Keywords[0] != "$Label1" {
		t.Fatalf("flags event = %+v", ev)
	}
	if err := s.SetRead(m.ID, true); err != nil {
		t.Fatal(err)
	}
	ev = <-sub.C
	if ev.Type != EventRead || ev.ID != m.ID || !ev.Read {
		t.Fatalf("read event = %+v", ev)
	}
	if e := snapshot(t, s, "someone", Inbox)[0]; !e.Flags.Has(FlagSeen) {
		t.Fatal("SetRead did not set catch-all \\Seen")
	}
	// IMAP \Seen through the catch-all login is the same flag.
	s.SetFlags("someone", Named(Inbox), []uint32{1}, FlagsRemove, FlagSeen, nil)
	if ev := <-sub.C; ev.Type != EventRead || ev.Read {
		t.Fatalf("event = %+v", ev)
	}
	if e, _ := s.Get(m.ID); e.Flags.Has(FlagSeen) {
		t.Fatal("read state not cleared by IMAP")
	}
	// Setting a flag that is already set publishes nothing.
	s.SetRead(m.ID, false)
	select {
	case ev := <-sub.C:
		t.Fatalf("unexpected event %+v", ev)
	default:
	}
	if err := s.SetRead("nope", true); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetRead unknown: %v", err)
	}
}

func TestUIDsAndUIDValidity(t *testing.T) {
	s := New(Options{})
	for i := range 3 {
		mustAdd(t, s, []string{"bob@x"}, msg("a@x", "bob@x", fmt.Sprint(i), "b"))
	}
	s.Remove("bob@x", Inbox, []uint32{2})
	mustAdd(t, s, []string{"bob@x"}, msg("a@x", "bob@x", "3", "b"))
	info, es, _ := s.Snapshot("bob@x", Inbox)
	if got := uids(es); !slices.Equal(got, []uint32{1, 3, 4}) || info.UIDNext != 5 {
		t.Fatalf("uids %v uidnext %d", got, info.UIDNext)
	}
	seen := map[uint32]bool{}
	for _, login := range []string{"bob@x", "x", "carol@x"} {
		for _, mb := range s.ListMailboxes(login) {
			if seen[mb.UIDValidity] {
				t.Fatalf("UIDVALIDITY %d reused", mb.UIDValidity)
			}
			seen[mb.UIDValidity] = true
		}
	}
	if recent, _ := s.ClaimRecent("bob@x", Named(Inbox)); !slices.Equal(recent, []uint32{1, 3, 4}) {
		t.Fatalf("recent %v", recent)
	}
	if recent, _ := s.ClaimRecent("bob@x", Named(Inbox)); len(recent) != 0 {
		t.Fatalf("recent claimed twice: %v", recent)
	}
}

func TestFolders(t *testing.T) {
	s := New(Options{})
	names := func(login string) []string {
		var out []string
		for _, mb := range s.ListMailboxes(login) {
			out = append(out, mb.Name)
		}
		return out
	}
	if got := names("bob@x"); !slices.Equal(got, []string{"INBOX", "Drafts", "Junk", "Sent", "Trash"}) {
		t.Fatalf("default folders %v", got)
	}
	if err := s.CreateMailbox("bob@x", "Work/2024/Q1"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateMailbox("bob@x", "Work"); !errors.Is(err, ErrExists) {
		t.Fatalf("create existing: %v", err)
	}
	for _, bad := range []string{"", "/a", "a//b", "a*", "a%b", "x\x01"} {
		if err := s.CreateMailbox("bob@x", bad); !errors.Is(err, ErrInvalidName) {
			t.Errorf("create %q: %v", bad, err)
		}
	}
	if err := s.RenameMailbox("bob@x", "Work", "Jobs"); err != nil {
		t.Fatal(err)
	}
	// Names of another length, children visited in any map order.
	for range 20 {
		s.CreateMailbox("bob@x", "Space Name/Sub/Deep")
		if err := s.RenameMailbox("bob@x", "Space Name", `Other \ "Name"`); err != nil {
			t.Fatal(err)
		}
		got := names("bob@x")
		for _, want := range []string{`Other \ "Name"`, `Other \ "Name"/Sub`, `Other \ "Name"/Sub/Deep`} {
			if !slices.Contains(got, want) {
				t.Fatalf("after rename: %v lacks %q", got, want)
			}
		}
		s.DeleteMailbox("bob@x", `Other \ "Name"/Sub/Deep`)
		s.DeleteMailbox("bob@x", `Other \ "Name"/Sub`)
		s.DeleteMailbox("bob@x", `Other \ "Name"`)
	}
	if got := names("bob@x"); !slices.Contains(got, "Jobs/2024/Q1") || slices.Contains(got, "Work") {
		t.Fatalf("after rename %v", got)
	}
	if err := s.DeleteMailbox("bob@x", "inbox"); !errors.Is(err, ErrInboxReserved) {
		t.Fatalf("delete INBOX: %v", err)
	}
	if err := s.DeleteMailbox("bob@x", "Jobs/2024/Q1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMailbox("bob@x", "nope"); !errors.Is(err, ErrNoMailbox) {
		t.Fatalf("delete missing: %v", err)
	}
	// Another user's folders are separate.
	if got := names("carol@x"); slices.Contains(got, "Jobs") {
		t.Fatalf("carol sees bob's folders: %v", got)
	}
	for _, mb := range s.ListMailboxes("bob@x") {
		if mb.Name == "Sent" && mb.SpecialUse != `\Sent` {
			t.Errorf("Sent special use %q", mb.SpecialUse)
		}
	}
}

// TestMailboxRefPinsTheMailbox: an operation pinned to a mailbox's ID fails
// once that name stands for another mailbox (deleted and created again, or
// another renamed onto it), and changes nothing there.
func TestMailboxRefPinsTheMailbox(t *testing.T) {
	const bob = "bob@x"
	ops := []struct {
		name string
		run  func(s *Store, ref MailboxRef) error
	}{
		{"SetFlags", func(s *Store, ref MailboxRef) error {
			_, err := s.SetFlags(bob, ref, []uint32{1}, FlagsAdd, FlagDeleted, nil)
			return err
		}},
		{"Expunge", func(s *Store, ref MailboxRef) error { _, err := s.Expunge(bob, ref, nil); return err }},
		{"ClaimRecent", func(s *Store, ref MailboxRef) error { _, err := s.ClaimRecent(bob, ref); return err }},
		{"Copy", func(s *Store, ref MailboxRef) error { _, err := s.Copy(bob, ref, "Trash", []uint32{1}); return err }},
		{"Move", func(s *Store, ref MailboxRef) error { _, err := s.Move(bob, ref, "Trash", []uint32{1}); return err }},
	}
	replace := map[string]func(t *testing.T, s *Store){
		"deleted and created again": func(t *testing.T, s *Store) {
			if err := s.DeleteMailbox(bob, "Work"); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateMailbox(bob, "Work"); err != nil {
				t.Fatal(err)
			}
		},
		"another renamed onto it": func(t *testing.T, s *Store) {
			if err := s.RenameMailbox(bob, "Work", "Old"); err != nil {
				t.Fatal(err)
			}
			if err := s.RenameMailbox(bob, "Other", "Work"); err != nil {
				t.Fatal(err)
			}
		},
	}
	for how, swap := range replace {
		for _, op := range ops {
			t.Run(how+"/"+op.name, func(t *testing.T) {
				s := New(Options{})
				for _, name := range []string{"Work", "Other"} {
					if err := s.CreateMailbox(bob, name); err != nil {
						t.Fatal(err)
					}
				}
				info, _, err := s.Snapshot(bob, "Work")
				if err != nil {
					t.Fatal(err)
				}
				pinned := MailboxRef{Name: "Work", ID: info.ID}
				if err := op.run(s, pinned); err != nil {
					t.Fatalf("on the selected mailbox itself: %v", err)
				}
				swap(t, s)
				if _, _, err := s.Append(bob, "Work", msg("a@x", bob, "new", "body"), 0, nil, time.Time{}); err != nil {
					t.Fatal(err)
				}
				if err := op.run(s, pinned); !errors.Is(err, ErrNoMailbox) {
					t.Fatalf("on a mailbox that replaced it: err = %v, want ErrNoMailbox", err)
				}
				es := snapshot(t, s, bob, "Work")
				if len(es) != 1 || es[0].Flags != FlagRecent {
					t.Errorf("the new mailbox changed: %+v", es)
				}
				if err := op.run(s, Named("Work")); err != nil {
					t.Errorf("by name alone: %v", err)
				}
			})
		}
	}
}

func TestCopyMoveAppend(t *testing.T) {
	s := New(Options{})
	m := mustAdd(t, s, []string{"bob@x"}, msg("a@x", "bob@x", "s", "b"))
	s.SetFlags("bob@x", Named(Inbox), []uint32{1}, FlagsAdd, FlagFlagged, []string{"work"})
	res, err := s.Copy("bob@x", Named(Inbox), "Trash", []uint32{1, 99})
	if err != nil || !slices.Equal(res.Source, []uint32{1}) || !slices.Equal(res.Dest, []uint32{1}) {
		t.Fatalf("copy = %+v, %v", res, err)
	}
	trash := snapshot(t, s, "bob@x", "Trash")
	if len(trash) != 1 || !trash[0].Flags.Has(FlagFlagged|FlagRecent) || trash[0].Keywords[0] != "work" || trash[0].Msg.ID == m.ID {
		t.Fatalf("copied entry %+v", trash[0])
	}
	// Deleting the original everywhere leaves the copy.
	s.Delete(m.ID)
	if len(snapshot(t, s, "bob@x", "Trash")) != 1 {
		t.Fatal("copy deleted with the original")
	}
	res, err = s.Move("bob@x", Named("Trash"), "Drafts", []uint32{1})
	if err != nil || len(res.Dest) != 1 || len(snapshot(t, s, "bob@x", "Trash")) != 0 || len(snapshot(t, s, "bob@x", "Drafts")) != 1 {
		t.Fatalf("move = %+v, %v", res, err)
	}
	if _, err := s.Copy("bob@x", Named(Inbox), "Nope", nil); !errors.Is(err, ErrNoMailbox) {
		t.Fatalf("copy to missing: %v", err)
	}
	date := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	v, uid, err := s.Append("bob@x", "Sent", []byte("Subject: appended\n\nhi\n"), FlagSeen, nil, date)
	if err != nil || uid != 1 || v == 0 {
		t.Fatalf("append = %d %d %v", v, uid, err)
	}
	sent := snapshot(t, s, "bob@x", "Sent")
	if string(sent[0].Msg.Raw) != "Subject: appended\r\n\r\nhi\r\n" || !sent[0].Msg.ReceivedAt.Equal(date) || !sent[0].Flags.Has(FlagSeen) {
		t.Fatalf("appended %+v", sent[0])
	}
	if total, _, _ := s.List(Filter{}, 0, 10); total != 0 {
		t.Fatalf("folder-only messages listed in catch-all: %d", total)
	}
	// Appending to the catch-all INBOX lists it.
	sub := s.Subscribe(0)
	defer sub.Close()
	s.Append("admin", Inbox, []byte("Subject: x\r\n\r\n"), 0, nil, time.Time{})
	if ev := <-sub.C; ev.Type != EventNew || ev.Message.Subject != "x" {
		t.Fatalf("event %+v", ev)
	}
}

func TestEviction(t *testing.T) {
	t.Run("count", func(t *testing.T) {
		s := New(Options{MaxMessages: 3})
		sub := s.Subscribe(0)
		defer sub.Close()
		var ids []string
		for i := range 5 {
			ids = append(ids, mustAdd(t, s, []string{"bob@x"}, msg("a@x", "b@x", fmt.Sprint(i), "b")).ID)
		}
		total, page, _ := s.List(Filter{}, 0, -1)
		if total != 3 || page[2].Msg.ID != ids[2] || page[0].Msg.ID != ids[4] {
			t.Fatalf("total %d", total)
		}
		if n := len(snapshot(t, s, "bob@x", Inbox)); n != 3 {
			t.Fatalf("bob has %d", n)
		}
		var evicted []string
		for len(sub.C) > 0 {
			if ev := <-sub.C; ev.Type == EventEvicted {
				evicted = append(evicted, ev.IDs...)
			}
		}
		if !slices.Equal(evicted, ids[:2]) {
			t.Fatalf("evicted %v, want %v", evicted, ids[:2])
		}
	})
	t.Run("memory held by sparse survivors", func(t *testing.T) {
		// Deleting all but one message of each slab leaves every slab
		// held. Counting held memory against the byte limit (plus one slab
		// of slack) evicts the oldest survivors instead of letting the
		// memory grow past the limit; the message bytes alone never would.
		const limit = 2 * slabSize
		s := New(Options{MaxBytes: limit})
		body := strings.Repeat("y", 60<<10) // about 140 messages a slab
		var kept []*Message
		for range 12 * slabSize / len(body) {
			m := mustAdd(t, s, nil, msg("a@x", "b@x", "s", body))
			if len(kept) == 0 || kept[len(kept)-1].slab != m.slab {
				kept = append(kept, m) // the first message of each slab stays
			} else {
				s.Delete(m.ID)
			}
			if s.held > limit+slabSize {
				t.Fatalf("%d bytes held, over the limit and one slab (%d)", s.held, limit+slabSize)
			}
			if st := s.Stats(); st.Bytes > limit {
				t.Fatalf("%d message bytes stored, over the limit", st.Bytes)
			}
		}
		if len(kept) < 10 {
			t.Fatalf("the messages filled only %d slabs", len(kept))
		}
		if _, err := s.Get(kept[0].ID); err == nil {
			t.Error("the oldest survivor was not evicted")
		}
		if _, err := s.Get(kept[len(kept)-1].ID); err != nil {
			t.Error("the newest survivor was evicted:", err)
		}
		s.Reset()
		if s.held != 0 || s.bytes != 0 {
			t.Errorf("after reset: held %d, bytes %d", s.held, s.bytes)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		s := New(Options{MaxBytes: 100})
		for i := range 10 {
			mustAdd(t, s, nil, []byte(strings.Repeat("x", 30)+fmt.Sprint(i)))
		}
		if st := s.Stats(); st.Bytes > 100 || st.Messages != 3 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestSearch(t *testing.T) {
	s := New(Options{})
	a := mustAdd(t, s, []string{"alice@x.test"}, msg(`"Jane Doe" <jane@corp.test>`, "alice@x.test", "Welcome aboard", "Click to verify your account"))
	b := mustAdd(t, s, []string{"bob@x.test"}, msg("noreply@shop.test", "bob@x.test", "Your order", "Order 1234 has shipped"))
	c := mustAdd(t, s, []string{"carol@x.test"}, []byte("From: x@y.test\r\nSubject: =?utf-8?q?Caf=C3=A9_menu?=\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=menu.pdf\r\n\r\nJVBER\r\n--b--\r\n"))
	s.SetRead(b.ID, true)
	tests := []struct {
		f    Filter
		want []*Message
	}{
		{Filter{}, []*Message{c, b, a}},
		{Filter{Query: "verify"}, []*Message{a}},
		{Filter{Query: "VERIFY account"}, []*Message{a}},
		{Filter{Query: `"order 1234"`}, []*Message{b}},
		{Filter{Query: `"1234 order"`}, nil},
		{Filter{Query: "from:jane"}, []*Message{a}},
		{Filter{Query: `from:"jane doe"`}, []*Message{a}},
		{Filter{Query: "from:sender@example.com"}, []*Message{c, b, a}},
		{Filter{Query: "to:bob"}, []*Message{b}},
		{Filter{Query: "subject:café"}, []*Message{c}},
		{Filter{Query: "is:read"}, []*Message{b}},
		{Filter{Query: "is:unread"}, []*Message{c, a}},
		{Filter{Query: "has:attachment"}, []*Message{c}},
		{Filter{Query: "-has:attachment -is:read"}, []*Message{a}},
		{Filter{Query: "-to:alice"}, []*Message{c, b}},
		{Filter{To: "carol@x.test"}, []*Message{c}},
		{Filter{From: "NOREPLY"}, []*Message{b}},
		{Filter{Subject: "order", Query: "shipped"}, []*Message{b}},
		{Filter{SinceID: a.ID}, []*Message{c, b}},
		{Filter{Query: "nothing-matches-this"}, nil},
	}
	for _, tt := range tests {
		total, page, err := s.List(tt.f, 0, -1)
		if err != nil {
			t.Fatalf("%+v: %v", tt.f, err)
		}
		var got []*Message
		for _, e := range page {
			got = append(got, e.Msg)
		}
		if total != len(tt.want) || !slices.Equal(got, tt.want) {
			t.Errorf("List(%+v) = %d %v, want %d", tt.f, total, subjects(got), len(tt.want))
		}
	}
	if total, page, _ := s.List(Filter{}, 1, 1); total != 3 || len(page) != 1 || page[0].Msg != b {
		t.Errorf("offset/limit: %d %d", total, len(page))
	}
	if _, _, err := s.List(Filter{SinceID: "missing"}, 0, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown since id: %v", err)
	}
	ids, _ := s.DeleteMatching(Filter{Query: "to:bob"})
	if !slices.Equal(ids, []string{b.ID}) {
		t.Errorf("DeleteMatching = %v", ids)
	}
	if total, _, _ := s.List(Filter{}, 0, 0); total != 2 {
		t.Errorf("after DeleteMatching total %d", total)
	}
}

func subjects(ms []*Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

func TestSlowSubscriberLagsWithoutStallingIngest(t *testing.T) {
	s := New(Options{})
	slow := s.Subscribe(4)
	fast := s.Subscribe(1000)
	defer fast.Close()
	for i := range 10 {
		mustAdd(t, s, nil, msg("a@x", "b@x", fmt.Sprint(i), "b"))
	}
	if !slow.Lagged() {
		t.Fatal("slow subscriber not marked lagged")
	}
	n := 0
	for range slow.C { // closed after the 4 buffered events
		n++
	}
	if n != 4 {
		t.Fatalf("slow got %d before close", n)
	}
	slow.Close() // idempotent
	if len(fast.C) != 10 || fast.Lagged() {
		t.Fatalf("fast got %d", len(fast.C))
	}
}

func TestConcurrentEventsInOrder(t *testing.T) {
	s := New(Options{MaxMessages: 500})
	const writers, each = 8, 200
	sub := s.Subscribe(writers * each * 4)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				m, err := s.Add(Envelope{RcptTo: []string{fmt.Sprintf("u%d@x", w)}}, msg("a@x", "b@x", "s", fmt.Sprint(i)))
				if err != nil {
					t.Error(err)
					return
				}
				switch i % 4 {
				case 1:
					s.SetRead(m.ID, true)
				case 2:
					s.Delete(m.ID)
				case 3:
					s.List(Filter{Query: "s"}, 0, 10)
				}
			}
		}()
	}
	done := make(chan uint64)
	go func() {
		var last uint64
		for ev := range sub.C {
			if ev.Seq != last+1 {
				t.Errorf("seq %d after %d", ev.Seq, last)
			}
			last = ev.Seq
			if last == s.Stats().Seq && last > writers*each {
				break
			}
		}
		done <- last
	}()
	wg.Wait()
	sub.Close()
	<-done
	if sub.Lagged() {
		t.Fatal("subscriber lagged")
	}
	if st := s.Stats(); st.Listed > 500 {
		t.Fatalf("limit not kept: %+v", st)
	}
}

func FuzzAdd(f *testing.F) {
	f.Add([]byte("Subject: hi\r\n\r\nbody"), "a@b")
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\n--x--"), "")
	f.Add([]byte("\r\n\r\n\n\r"), "x@y")
	f.Add([]byte{}, "") // nothing at all: an empty first allocation
	f.Fuzz(func(t *testing.T, raw []byte, rcpt string) {
		s := New(Options{})
		m, err := s.Add(Envelope{RcptTo: []string{rcpt}}, raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(m.ID); err != nil {
			t.Fatal(err)
		}
		s.List(Filter{Query: string(raw)}, 0, 1)
		m.Tree()
		s.Delete(m.ID)
		if st := s.Stats(); st.Messages != 0 || st.Bytes != 0 || s.held != 0 {
			t.Fatalf("stats %+v, %d bytes held", st, s.held)
		}
	})
}

func TestSubscribeUser(t *testing.T) {
	s := New(Options{})
	bob := s.SubscribeUser(0, "Bob@x")
	defer bob.Close()
	all := s.SubscribeUser(0, "admin")
	defer all.Close()
	mustAdd(t, s, []string{"carol@x"}, msg("a@x", "carol@x", "for carol", "b"))
	m := mustAdd(t, s, []string{"bob@x"}, msg("a@x", "bob@x", "for bob", "b"))
	s.CreateMailbox("carol@x", "Work")
	s.Reset()
	var got []EventType
	for len(bob.C) > 0 {
		ev := <-bob.C
		if ev.Type == EventNew && ev.Message != m {
			t.Errorf("bob got carol's mail")
		}
		got = append(got, ev.Type)
	}
	if !slices.Equal(got, []EventType{EventNew, EventReset}) {
		t.Errorf("bob's events = %v", got)
	}
	if n := len(all.C); n != 3 { // two deliveries through the catch-all INBOX, the reset
		t.Errorf("catch-all subscriber got %d events", n)
	}
}

func TestRemoveNothing(t *testing.T) {
	s := New(Options{})
	mustAdd(t, s, []string{"bob@x"}, msg("a@x", "bob@x", "s", "b"))
	for _, uids := range [][]uint32{nil, {}} {
		if gone, err := s.Remove("admin", Inbox, uids); err != nil || len(gone) != 0 {
			t.Fatalf("Remove(%v) = %v, %v", uids, gone, err)
		}
	}
	if st := s.Stats(); st.Messages != 1 {
		t.Fatalf("Remove with no UIDs removed mail: %+v", st)
	}
}

func TestRenameCreatesParentsAndKeepsTheLimit(t *testing.T) {
	s := New(Options{})
	mustAdd(t, s, []string{"bob@x"}, msg("a@x", "bob@x", "s", "b"))
	if err := s.RenameMailbox("bob@x", Inbox, "a/b/c"); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, mb := range s.ListMailboxes("bob@x") {
		names = append(names, mb.Name)
	}
	for _, want := range []string{"a", "a/b", "a/b/c", Inbox} {
		if !slices.Contains(names, want) {
			t.Fatalf("after RENAME INBOX a/b/c: %v lacks %q", names, want)
		}
	}
	if n := len(snapshot(t, s, "bob@x", "a/b/c")); n != 1 {
		t.Fatalf("a/b/c holds %d messages", n)
	}
	var err error
	for i := 0; err == nil && i < 2*maxMailboxes; i++ {
		err = s.RenameMailbox("bob@x", Inbox, fmt.Sprintf("r%d", i))
	}
	if !errors.Is(err, ErrInvalidName) || len(s.ListMailboxes("bob@x")) > maxMailboxes {
		t.Fatalf("limit not kept: %v, %d mailboxes", err, len(s.ListMailboxes("bob@x")))
	}
}

func TestTreeCacheIsBounded(t *testing.T) {
	s := New(Options{TreeCache: 2})
	var ms []*Message
	for i := range 3 {
		ms = append(ms, mustAdd(t, s, nil, msg("a@x", "b@x", fmt.Sprint(i), "b")))
	}
	first := ms[0].Tree()
	if ms[0].Tree() != first {
		t.Fatal("tree not cached")
	}
	ms[1].Tree()
	ms[2].Tree() // the third parse drops the oldest cached tree
	if ms[0].tree.Load() != nil || ms[2].tree.Load() == nil {
		t.Fatal("cache not bounded to the newest trees")
	}
	if again := ms[0].Tree(); again == first || again.Header.Get("Subject") != "0" {
		t.Fatal("uncached tree not parsed again")
	}
}

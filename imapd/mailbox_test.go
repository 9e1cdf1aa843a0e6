package imapd

import (
	"fmt"
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// TestSelectedMailboxRenamed: a session keeps working on its selected
// mailbox after another session renames it (the view learns the new name
// from the store's event, memstore.Change.Name).
func TestSelectedMailboxRenamed(t *testing.T) {
	env := newEnv(t)
	a := env.client("bob@example.com")
	b := env.client("bob@example.com")
	if err := a.Create("Work", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.store.Append("bob@example.com", "Work", []byte(simpleMsg), 0, nil, fixedNow); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Select("Work", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := b.Rename("Work", "Projects/Work-2024", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := a.Noop().Wait(); err != nil { // drains the rename event
		t.Fatal(err)
	}
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}}
	if _, err := a.Store(imap.SeqSetNum(1), store, nil).Collect(); err != nil {
		t.Fatalf("STORE after rename: %v", err)
	}
	if err := a.Rename("Projects/Work-2024", "Done", nil).Wait(); err != nil { // renamed by itself
		t.Fatal(err)
	}
	if _, err := a.Copy(imap.SeqSetNum(1), "INBOX").Wait(); err != nil {
		t.Fatalf("COPY after own rename: %v", err)
	}
	msgs, err := b.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true}).Collect()
	if err == nil {
		t.Fatalf("FETCH without a selected mailbox: %v", msgs)
	}
	if _, err := b.Select("Done", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err = b.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(msgs) != 1 || !slices.Contains(msgs[0].Flags, imap.FlagFlagged) {
		t.Fatalf("FETCH in the renamed mailbox: %v %v", msgs, err)
	}
}

// TestRenameWithChildren: RENAME renames inferior names too (RFC 3501
// 6.3.5), also when the new name's length differs from the old one.
func TestRenameWithChildren(t *testing.T) {
	env := newEnv(t)
	c := env.client("bob@example.com")
	for _, name := range []string{"Space Name/Sub", "Space Name/Sub/Deeper", "Space Name/Other"} {
		if err := c.Create(name, nil).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Rename("Space Name", `A "longer" name`, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	list, err := c.List("", `A "longer" name*`, nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range list {
		names = append(names, l.Mailbox)
	}
	want := []string{`A "longer" name`, `A "longer" name/Other`, `A "longer" name/Sub`, `A "longer" name/Sub/Deeper`}
	if !slices.Equal(names, want) {
		t.Errorf("after RENAME: %q, want %q", names, want)
	}
}

// TestListExtended: the RFC 5258 selection and return options go-imap's
// client sends, and RETURN (STATUS) of RFC 5819.
func TestListExtended(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, "bob@example.com")
	c := env.client("bob@example.com")
	for _, name := range []string{"Work/A", "Work/B"} {
		if err := c.Create(name, nil).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Subscribe("Work/B").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Unsubscribe("Junk").Wait(); err != nil {
		t.Fatal(err)
	}
	list := func(opts *imap.ListOptions) []string {
		t.Helper()
		data, err := c.List("", "*", opts).Collect()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range data {
			s := d.Mailbox + " " + fmtAttrs(d.Attrs)
			if d.Status != nil {
				s += fmt.Sprintf(" messages=%d unseen=%d", *d.Status.NumMessages, *d.Status.NumUnseen)
			}
			out = append(out, s)
		}
		return out
	}
	for _, tc := range []struct {
		opts *imap.ListOptions
		want []string
	}{
		{&imap.ListOptions{SelectSubscribed: true}, []string{
			`INBOX \HasNoChildren \Subscribed`, `Drafts \HasNoChildren \Drafts \Subscribed`,
			`Sent \HasNoChildren \Sent \Subscribed`, `Trash \HasNoChildren \Trash \Subscribed`,
			`Work/B \HasNoChildren \Subscribed`}},
		{&imap.ListOptions{SelectSpecialUse: true, ReturnSubscribed: true}, []string{
			`Drafts \HasNoChildren \Drafts \Subscribed`, `Junk \HasNoChildren \Junk`,
			`Sent \HasNoChildren \Sent \Subscribed`, `Trash \HasNoChildren \Trash \Subscribed`}},
		{&imap.ListOptions{ReturnChildren: true, ReturnSpecialUse: true, ReturnStatus: &imap.StatusOptions{NumMessages: true, NumUnseen: true}}, []string{
			`INBOX \HasNoChildren messages=1 unseen=1`, `Drafts \HasNoChildren \Drafts messages=0 unseen=0`,
			`Junk \HasNoChildren \Junk messages=0 unseen=0`, `Sent \HasNoChildren \Sent messages=0 unseen=0`,
			`Trash \HasNoChildren \Trash messages=0 unseen=0`, `Work \HasChildren messages=0 unseen=0`,
			`Work/A \HasNoChildren messages=0 unseen=0`, `Work/B \HasNoChildren messages=0 unseen=0`}},
	} {
		if got := list(tc.opts); !slices.Equal(got, tc.want) {
			t.Errorf("LIST %+v:\n got %q\nwant %q", tc.opts, got, tc.want)
		}
	}
}

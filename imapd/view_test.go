package imapd

import (
	"io"
	"strconv"
	"strings"
	"testing"

	"intray/memstore"
)

const bob = "bob@example.com"

// selectWork creates bob's Work with one message and selects it in a new
// raw session.
func selectWork(t *testing.T, env *testEnv) *raw {
	t.Helper()
	if err := env.store.CreateMailbox(bob, "Work"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.store.Append(bob, "Work", []byte(simpleMsg), 0, nil, fixedNow); err != nil {
		t.Fatal(err)
	}
	r := env.raw()
	r.line()
	r.cmd("a", "LOGIN "+bob+" x")
	r.cmd("b", "SELECT Work")
	return r
}

// recreateWork deletes Work and creates a new one whose UID 1 is flagless.
func recreateWork(t *testing.T, env *testEnv) {
	t.Helper()
	if err := env.store.DeleteMailbox(bob, "Work"); err != nil {
		t.Fatal(err)
	}
	if err := env.store.CreateMailbox(bob, "Work"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.store.Append(bob, "Work", []byte(simpleMsg), 0, nil, fixedNow); err != nil {
		t.Fatal(err)
	}
}

// flood delivers more of bob's events than a subscription buffers, so a
// selected session of bob's lags.
func flood(t *testing.T, env *testEnv) {
	t.Helper()
	for range memstore.DefaultSubscriptionBuffer + 10 {
		env.add(simpleMsg, bob)
	}
}

// wantBye reads a BYE for the deleted mailbox and the end of the connection.
func wantBye(t *testing.T, r *raw) {
	t.Helper()
	rest, _ := io.ReadAll(r.br)
	if want := "* BYE Selected mailbox was deleted, have to disconnect\r\n"; string(rest) != want {
		t.Errorf("got %q, want %q and EOF", rest, want)
	}
}

// workFlags returns the flags of UID 1 in bob's current Work.
func workFlags(t *testing.T, env *testEnv) memstore.Flags {
	t.Helper()
	_, entries, err := env.store.Snapshot(bob, "Work")
	if err != nil || len(entries) != 1 {
		t.Fatalf("Work: %v %v", entries, err)
	}
	return entries[0].Flags &^ memstore.FlagRecent
}

// TestSelectedMailboxRecreated: a session whose mailbox was deleted and
// re-created by someone else is disconnected rather than storing flags
// into, copying from or expunging the new mailbox with its stale UIDs.
func TestSelectedMailboxRecreated(t *testing.T) {
	for _, cmd := range []string{
		`UID STORE 1 +FLAGS (\Deleted)`,
		`STORE 1 +FLAGS (\Flagged)`,
		`FETCH 1 BODY[]`,
		`UID EXPUNGE 1`,
		`MOVE 1 INBOX`,
		`NOOP`,
	} {
		t.Run(cmd, func(t *testing.T) {
			env := newEnv(t)
			r := selectWork(t, env)
			recreateWork(t, env)
			if _, err := env.store.SetFlags(bob, memstore.Named("Work"), []uint32{1}, memstore.FlagsAdd, memstore.FlagDeleted, nil); err != nil {
				t.Fatal(err)
			}
			r.send("c " + cmd + "\r\n")
			wantBye(t, r)
			if f := workFlags(t, env); f != memstore.FlagDeleted {
				t.Errorf("the new Work's message has flags %v", f.Names())
			}
		})
	}
}

// TestSelectedMailboxDeletedClose: CLOSE and UNSELECT still work once the
// selected mailbox is gone, and CLOSE does not expunge the mailbox that
// now has the name.
func TestSelectedMailboxDeletedClose(t *testing.T) {
	env := newEnv(t)
	r := selectWork(t, env)
	recreateWork(t, env)
	if _, err := env.store.SetFlags(bob, memstore.Named("Work"), []uint32{1}, memstore.FlagsAdd, memstore.FlagDeleted, nil); err != nil {
		t.Fatal(err)
	}
	if got := r.cmd("c", "CLOSE"); got != "c OK CLOSE completed\r\n" {
		t.Errorf("CLOSE: %q", got)
	}
	workFlags(t, env) // still there
	r.cmd("d", "SELECT Work")
	if err := env.store.DeleteMailbox(bob, "Work"); err != nil {
		t.Fatal(err)
	}
	if got := r.cmd("e", "UNSELECT"); got != "e OK UNSELECT completed\r\n" {
		t.Errorf("UNSELECT: %q", got)
	}
	if got := r.cmd("f", "NOOP"); got != "f OK NOOP completed\r\n" {
		t.Errorf("NOOP after UNSELECT: %q", got)
	}
}

// TestSelectedMailboxDeletedIdle: an IDLE session learns at once.
func TestSelectedMailboxDeletedIdle(t *testing.T) {
	env := newEnv(t)
	r := selectWork(t, env)
	r.send("c IDLE\r\n")
	r.until("+ ")
	if err := env.store.DeleteMailbox(bob, "Work"); err != nil {
		t.Fatal(err)
	}
	wantBye(t, r)
}

// TestSelectedMailboxRecreatedWhileLagged: after a lag the mailbox is
// found by ID; one of the same name is not taken for it.
func TestSelectedMailboxRecreatedWhileLagged(t *testing.T) {
	env := newEnv(t)
	r := selectWork(t, env)
	flood(t, env)
	recreateWork(t, env)
	r.send("c UID STORE 1 +FLAGS (\\Flagged)\r\n")
	wantBye(t, r)
	if f := workFlags(t, env); f != 0 {
		t.Errorf("the new Work's message has flags %v", f.Names())
	}
}

// TestSelectedMailboxRenamedWhileLagged: a rename missed while the
// subscription lagged is not taken for a deletion.
func TestSelectedMailboxRenamedWhileLagged(t *testing.T) {
	env := newEnv(t)
	r := selectWork(t, env)
	flood(t, env)
	if err := env.store.RenameMailbox(bob, "Work", "Play"); err != nil {
		t.Fatal(err)
	}
	if got := r.cmd("c", `UID STORE 1 +FLAGS (\Flagged)`); got != "* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))\r\nc OK STORE completed\r\n" {
		t.Errorf("STORE after a lagged rename: %q", got)
	}
	_, entries, err := env.store.Snapshot(bob, "Play")
	if err != nil || len(entries) != 1 || entries[0].Flags&memstore.FlagFlagged == 0 {
		t.Errorf("Play: %v %v", entries, err)
	}
}

// TestOtherUsersMailDoesNotLag: a session subscribes to its own user's
// events only, so a flood of mail for someone else does not reach it.
func TestOtherUsersMailDoesNotLag(t *testing.T) {
	env := newEnv(t)
	resync := env.hook("resync")
	r := selectWork(t, env)
	for range memstore.DefaultSubscriptionBuffer + 10 {
		env.add(simpleMsg, "carol@example.com")
	}
	env.add(simpleMsg, bob)
	if _, _, err := env.store.Append(bob, "Work", []byte(simpleMsg), 0, nil, fixedNow); err != nil {
		t.Fatal(err)
	}
	if got := r.cmd("c", "NOOP"); got != "* 2 EXISTS\r\n* 2 RECENT\r\nc OK NOOP completed\r\n" {
		t.Errorf("NOOP: %q", got)
	}
	if n := len(resync); n != 0 {
		t.Errorf("the session resynchronised %d times", n)
	}
}

// TestStoreExpungedElsewhere: STORE leaves out a message that another
// session expunged but that is not announced yet (STORE holds EXPUNGE).
func TestStoreExpungedElsewhere(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, bob)
	env.add(simpleMsg, bob)
	r := env.raw()
	r.line()
	r.cmd("a", "LOGIN "+bob+" x")
	r.cmd("b", "SELECT INBOX")
	if _, err := env.store.Remove(bob, "INBOX", []uint32{1}); err != nil {
		t.Fatal(err)
	}
	if got := r.cmd("c", `STORE 1:2 +FLAGS (\Flagged)`); got != "* 2 FETCH (FLAGS (\\Flagged \\Recent))\r\nc OK STORE completed\r\n" {
		t.Errorf("STORE: %q", got)
	}
	if got := r.cmd("d", "NOOP"); got != "* 1 EXPUNGE\r\nd OK NOOP completed\r\n" {
		t.Errorf("NOOP: %q", got)
	}
}

// TestCopyToSelected: COPY into the selected mailbox announces EXISTS in
// its own response, as APPEND and MOVE do.
func TestCopyToSelected(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, bob)
	r := env.raw()
	r.line()
	r.cmd("a", "LOGIN "+bob+" x")
	info := r.cmd("b", "SELECT INBOX")
	_, uv, _ := strings.Cut(info, "[UIDVALIDITY ")
	uv, _, _ = strings.Cut(uv, "]")
	if _, err := strconv.Atoi(uv); err != nil {
		t.Fatalf("no UIDVALIDITY in %q", info)
	}
	want := "* 2 EXISTS\r\n* 2 RECENT\r\nc OK [COPYUID " + uv + " 1 2] COPY completed\r\n"
	if got := r.cmd("c", "COPY 1 INBOX"); got != want {
		t.Errorf("COPY: %q, want %q", got, want)
	}
}

package imapd

import (
	"slices"
	"sort"
	"strconv"

	"intray/memstore"
)

// view is a session's picture of its selected mailbox (go-imap v2's
// imapserver/tracker.go has the same idea): the entries the client knows
// in sequence order, and the changes it has not been told about yet. Events
// from the store are applied to it as they are drained (poll); they reach
// the client only when flushUpdates runs, at points where RFC 3501 7.4.1
// allows them. A view is owned by its session's goroutine.
type view struct {
	id          uint64
	name        string
	readOnly    bool
	uidValidity uint32

	// entries are the messages as the client knows them: entries[i] is
	// sequence number i+1. Messages expunged in the store stay here until
	// the EXPUNGE is announced, so sequence numbers never shift under a
	// command; Message is immutable, so they can still be fetched.
	entries  []memstore.Entry
	expunged map[uint32]bool  // UIDs gone from the store, not yet announced
	added    []memstore.Entry // arrivals (UID ascending), not yet announced
	dirty    map[uint32]bool  // UIDs whose flags changed, not yet announced
	recent   map[uint32]bool  // \Recent for this session (read-write views)
	announce int              // RECENT count last announced, -1 before any
	// gone: the mailbox was deleted, or could not be found again by its
	// ID with the same UIDVALIDITY after the subscription lagged. Only
	// CLOSE, UNSELECT and LOGOUT are then answered (see dispatch).
	gone bool
}

// ref names the selected mailbox for the store, pinned to its ID.
func (v *view) ref() memstore.MailboxRef { return memstore.MailboxRef{Name: v.name, ID: v.id} }

func newView(info memstore.MailboxInfo, entries []memstore.Entry, readOnly bool) *view {
	return &view{
		id: info.ID, name: info.Name, readOnly: readOnly, uidValidity: info.UIDValidity,
		entries: entries, expunged: map[uint32]bool{}, dirty: map[uint32]bool{},
		recent: map[uint32]bool{},
	}
}

// index returns the position of uid in entries, or -1.
func (v *view) index(uid uint32) int {
	i := sort.Search(len(v.entries), func(i int) bool { return v.entries[i].UID >= uid })
	if i < len(v.entries) && v.entries[i].UID == uid {
		return i
	}
	return -1
}

// maxUID is the highest UID the view knows, announced or not.
func (v *view) maxUID() uint32 {
	if n := len(v.added); n > 0 {
		return v.added[n-1].UID
	}
	if n := len(v.entries); n > 0 {
		return v.entries[n-1].UID
	}
	return 0
}

// isRecent reports whether e is \Recent for this session.
func (v *view) isRecent(e *memstore.Entry) bool {
	if v.readOnly {
		return e.Flags&memstore.FlagRecent != 0
	}
	return v.recent[e.UID]
}

// sameFlags compares two entries' flags and keywords, \Recent aside.
func sameFlags(a, b *memstore.Entry) bool {
	return (a.Flags^b.Flags)&^memstore.FlagRecent == 0 && slices.Equal(a.Keywords, b.Keywords)
}

// apply records one change to this view's mailbox.
func (v *view) apply(ch *memstore.Change) {
	switch ch.Kind {
	case memstore.ChangeAdded:
		for _, e := range ch.Entries {
			if e.UID > v.maxUID() {
				v.added = append(v.added, e)
			}
		}
	case memstore.ChangeExpunge, memstore.ChangeDeleted:
		for _, u := range ch.UIDs {
			v.remove(u)
		}
		v.gone = v.gone || ch.Kind == memstore.ChangeDeleted
	case memstore.ChangeFlags:
		for i := range ch.Entries {
			v.setFlags(&ch.Entries[i], true)
		}
	case memstore.ChangeRenamed:
		v.name = ch.Name
	}
}

// remove records that uid left the mailbox.
func (v *view) remove(uid uint32) {
	if v.index(uid) >= 0 {
		v.expunged[uid] = true
		return
	}
	if i := slices.IndexFunc(v.added, func(e memstore.Entry) bool { return e.UID == uid }); i >= 0 {
		v.added = slices.Delete(v.added, i, i+1)
	}
}

// setFlags updates the cached flags of e.UID; if announce, a change is
// queued as an unsolicited FETCH.
func (v *view) setFlags(e *memstore.Entry, announce bool) {
	if i := v.index(e.UID); i >= 0 {
		cur := &v.entries[i]
		if !sameFlags(cur, e) {
			cur.Flags = cur.Flags&memstore.FlagRecent | e.Flags&^memstore.FlagRecent
			cur.Keywords = e.Keywords
			if announce {
				v.dirty[e.UID] = true
			}
		}
		return
	}
	for i := range v.added {
		if v.added[i].UID == e.UID {
			v.added[i].Flags = v.added[i].Flags&memstore.FlagRecent | e.Flags&^memstore.FlagRecent
			v.added[i].Keywords = e.Keywords
		}
	}
}

// resync brings the view in line with a fresh snapshot, after the event
// subscription lagged.
func (v *view) resync(entries []memstore.Entry) {
	cur := make(map[uint32]int, len(entries))
	for i, e := range entries {
		cur[e.UID] = i
	}
	for i := range v.entries {
		j, ok := cur[v.entries[i].UID]
		if !ok {
			v.expunged[v.entries[i].UID] = true
			continue
		}
		v.setFlags(&entries[j], true)
	}
	var known uint32
	if n := len(v.entries); n > 0 {
		known = v.entries[n-1].UID
	}
	v.added = v.added[:0]
	for _, e := range entries {
		if e.UID > known {
			v.added = append(v.added, e)
		}
	}
}

// poll drains the selected mailbox's events into the view without writing
// anything. A lagged subscription is replaced and the view resynchronised.
func (c *conn) poll() {
	for c.sub != nil {
		select {
		case ev, ok := <-c.sub.C:
			if !ok {
				c.resync()
				return
			}
			c.applyEvent(&ev)
		default:
			return
		}
	}
}

// applyEvent applies the changes of ev that concern the selected mailbox.
func (c *conn) applyEvent(ev *memstore.Event) {
	v := c.sel
	for i := range ev.Changes {
		if ev.Changes[i].Mailbox == v.id {
			v.apply(&ev.Changes[i])
		}
	}
}

// resync resubscribes and recomputes the view from a snapshot. Events may
// have been lost, a rename among them, so the mailbox is looked up by its
// ID, not by the name the view knows; if no mailbox has that ID and the
// same UIDVALIDITY any more, the view is gone.
func (c *conn) resync() {
	c.srv.hook("resync")
	v := c.sel
	c.sub.Close()
	c.sub = c.srv.Store.SubscribeUser(0, c.login)
	for _, info := range c.srv.Store.ListMailboxes(c.login) {
		if info.ID != v.id {
			continue
		}
		info, entries, err := c.srv.Store.Snapshot(c.login, info.Name)
		if err == nil && info.ID == v.id && info.UIDValidity == v.uidValidity {
			v.name = info.Name
			v.resync(entries)
			return
		}
		break
	}
	v.gone = true
	v.added = v.added[:0]
}

// flushUpdates writes the queued updates: EXPUNGE (only if allowed), then
// EXISTS and RECENT for arrivals, then FETCH FLAGS for changed flags.
func (c *conn) flushUpdates(allowExpunge bool) {
	v := c.sel
	if v == nil || v.gone {
		return // a deleted mailbox has nothing more to announce
	}
	if allowExpunge && len(v.expunged) > 0 {
		c.flushExpunges()
	}
	if len(v.added) > 0 {
		if !v.readOnly {
			if uids, err := c.srv.Store.ClaimRecent(c.login, v.ref()); err == nil {
				for _, u := range uids {
					v.recent[u] = true
				}
			}
		}
		v.entries = append(v.entries, v.added...)
		v.added = v.added[:0]
		c.writeNumber(len(v.entries), "EXISTS")
		// RECENT goes with a change of size (RFC 3501 7.3.2).
		c.writeNumber(c.recentCount(), "RECENT")
	}
	if len(v.dirty) > 0 {
		c.flushFlags()
	}
}

// flushExpunges announces and drops the expunged entries.
func (c *conn) flushExpunges() {
	v := c.sel
	kept := v.entries[:0]
	for _, e := range v.entries {
		if !v.expunged[e.UID] {
			kept = append(kept, e)
			continue
		}
		c.writeNumber(len(kept)+1, "EXPUNGE")
		delete(v.recent, e.UID)
		delete(v.dirty, e.UID)
	}
	clear(v.entries[len(kept):])
	v.entries = kept
	clear(v.expunged)
}

// flushFlags announces changed flags as unsolicited FETCH responses.
func (c *conn) flushFlags() {
	v := c.sel
	uids := make([]uint32, 0, len(v.dirty))
	for u := range v.dirty {
		uids = append(uids, u)
	}
	slices.Sort(uids)
	for _, u := range uids {
		i := v.index(u)
		if i < 0 || v.expunged[u] {
			continue
		}
		b := c.bw.AvailableBuffer()
		b = append(b, "* "...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, " FETCH (UID "...)
		b = strconv.AppendUint(b, uint64(u), 10)
		b = append(b, " FLAGS "...)
		b = appendFlags(b, &v.entries[i], v.isRecent(&v.entries[i]))
		b = append(b, ")\r\n"...)
		_, _ = c.bw.Write(b)
	}
	clear(v.dirty)
}

// recentCount counts the view's \Recent messages.
func (c *conn) recentCount() int {
	v := c.sel
	if !v.readOnly {
		n := 0
		for u := range v.recent {
			if v.index(u) >= 0 {
				n++
			}
		}
		return n
	}
	n := 0
	for i := range v.entries {
		if v.entries[i].Flags&memstore.FlagRecent != 0 {
			n++
		}
	}
	return n
}

// unselect leaves the selected state, if selected, and ends the event
// subscription.
func (c *conn) unselect() {
	if c.sub != nil {
		c.sub.Close()
		c.sub = nil
	}
	c.sel = nil
	if c.state == stateSelected {
		c.state = stateAuth
	}
}

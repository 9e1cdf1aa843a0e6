package memstore

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// ListMailboxes returns login's mailboxes sorted by name, INBOX first.
func (s *Store) ListMailboxes(login string) []MailboxInfo {
	mb, err := s.rlockMailbox(login, Inbox)
	if err != nil {
		return nil
	}
	defer s.mu.RUnlock()
	u := mb.user
	out := make([]MailboxInfo, 0, len(u.mailboxes))
	for _, m := range u.mailboxes {
		out = append(out, m.infoLocked())
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Name == Inbox) != (out[j].Name == Inbox) {
			return out[i].Name == Inbox
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Status returns one mailbox's counters. The error wraps ErrNoMailbox.
func (s *Store) Status(login, name string) (MailboxInfo, error) {
	mb, err := s.rlockMailbox(login, name)
	if err != nil {
		return MailboxInfo{}, fmt.Errorf("status %q: %w", name, err)
	}
	defer s.mu.RUnlock()
	return mb.infoLocked(), nil
}

// Snapshot returns a mailbox's counters and a copy of all its entries in
// UID order, taken atomically.
func (s *Store) Snapshot(login, name string) (MailboxInfo, []Entry, error) {
	mb, err := s.rlockMailbox(login, name)
	if err != nil {
		return MailboxInfo{}, nil, fmt.Errorf("snapshot %q: %w", name, err)
	}
	defer s.mu.RUnlock()
	out := make([]Entry, len(mb.entries))
	for i := range mb.entries {
		out[i] = mb.entryLocked(i)
	}
	return mb.infoLocked(), out, nil
}

// Entries returns the current entries of the given UIDs (ascending; UIDs
// that are gone are left out).
func (s *Store) Entries(login, name string, uids []uint32) ([]Entry, error) {
	mb, err := s.rlockMailbox(login, name)
	if err != nil {
		return nil, fmt.Errorf("entries of %q: %w", name, err)
	}
	defer s.mu.RUnlock()
	out := make([]Entry, 0, len(uids))
	for _, u := range uids {
		if i := mb.find(u); i >= 0 {
			out = append(out, mb.entryLocked(i))
		}
	}
	return out, nil
}

// ClaimRecent clears \Recent on every entry of the mailbox that still has
// it and returns their UIDs: the calling session is the one that sees them
// as recent (RFC 3501 2.3.2). No event is published; \Recent is per session.
func (s *Store) ClaimRecent(login string, ref MailboxRef) ([]uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mb, err := s.refLocked(login, ref)
	if err != nil {
		return nil, fmt.Errorf("claim recent in %q: %w", ref.Name, err)
	}
	var uids []uint32
	for i := len(mb.entries) - 1; i >= 0 && mb.entries[i].flags&FlagRecent != 0; i-- {
		mb.entries[i].flags &^= FlagRecent
		uids = append(uids, mb.entries[i].uid)
	}
	slices.Reverse(uids)
	return uids, nil
}

// SetFlags changes the flags of the given UIDs (ascending) as op says and
// publishes the entries that changed (EventRead as well when the catch-all
// \Seen flag changed). FlagRecent in flags is ignored. It returns the
// entries that exist, as they now are.
func (s *Store) SetFlags(login string, ref MailboxRef, uids []uint32, op FlagOp, flags Flags, keywords []string) ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mb, err := s.refLocked(login, ref)
	if err != nil {
		return nil, fmt.Errorf("store flags in %q: %w", ref.Name, err)
	}
	return s.setFlagsLocked(mb, uids, op, flags, keywords), nil
}

func (s *Store) setFlagsLocked(mb *mailbox, uids []uint32, op FlagOp, flags Flags, keywords []string) []Entry {
	flags &^= FlagRecent
	var out, changed []Entry
	var readEvents []Event
	for _, u := range uids {
		i := mb.find(u)
		if i < 0 {
			continue
		}
		e := &mb.entries[i]
		old, oldKW := e.flags, mb.keywords[u]
		switch op {
		case FlagsReplace:
			e.flags = e.flags&FlagRecent | flags
		case FlagsAdd:
			e.flags |= flags
		case FlagsRemove:
			e.flags &^= flags
		}
		if kw := applyKeywords(slices.Clone(oldKW), op, keywords); !equalKeywords(kw, oldKW) {
			if mb.keywords == nil {
				mb.keywords = make(map[uint32][]string)
			}
			mb.keywords[u] = kw
		}
		ent := mb.entryLocked(i)
		out = append(out, ent)
		if e.flags != old || !equalKeywords(mb.keywords[u], oldKW) {
			changed = append(changed, ent)
			if mb.isCatchAllInbox() && (old^e.flags)&FlagSeen != 0 {
				readEvents = append(readEvents, Event{Type: EventRead, ID: e.msg.ID, Read: e.flags&FlagSeen != 0})
			}
		}
	}
	if len(changed) == 0 {
		return out
	}
	ch := []Change{{Mailbox: mb.id, User: mb.user.key, Kind: ChangeFlags, Entries: changed}}
	if len(readEvents) == 0 {
		s.publishLocked(Event{Type: EventMailbox, Changes: ch})
		return out
	}
	// One EventRead per message; the mailbox change rides on the first.
	readEvents[0].Changes = ch
	for _, ev := range readEvents {
		s.publishLocked(ev)
	}
	return out
}

// Expunge removes the entries that have \Deleted: all of them when uids is
// nil, otherwise only those among uids (UID EXPUNGE, RFC 4315). It returns
// the UIDs removed, ascending. In the catch-all INBOX the messages are
// removed everywhere (EventDeleted); elsewhere only from this mailbox.
func (s *Store) Expunge(login string, ref MailboxRef, uids []uint32) ([]uint32, error) {
	return s.remove(login, ref, uids, true)
}

// Remove removes the given UIDs whatever their flags, with Expunge's
// semantics otherwise; with no UIDs it removes nothing. POP3 uses it to
// commit DELE at QUIT.
func (s *Store) Remove(login, name string, uids []uint32) ([]uint32, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	return s.remove(login, Named(name), uids, false)
}

func (s *Store) remove(login string, ref MailboxRef, uids []uint32, deletedOnly bool) ([]uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mb, err := s.refLocked(login, ref)
	if err != nil {
		return nil, fmt.Errorf("expunge %q: %w", ref.Name, err)
	}
	var gone []uint32
	var msgs []*Message
	for _, e := range mb.entries {
		if (deletedOnly && e.flags&FlagDeleted == 0) || (uids != nil && !containsUID(uids, e.uid)) {
			continue
		}
		gone = append(gone, e.uid)
		msgs = append(msgs, e.msg)
	}
	if len(gone) == 0 {
		return nil, nil
	}
	if mb.isCatchAllInbox() {
		s.removeMessagesLocked(msgs, EventDeleted)
		return gone, nil
	}
	for _, m := range mb.removeUIDsLocked(gone) {
		s.forgetLocked(m)
	}
	s.publishLocked(Event{Type: EventMailbox, Changes: []Change{{Mailbox: mb.id, User: mb.user.key, Kind: ChangeExpunge, UIDs: gone}}})
	return gone, nil
}

func containsUID(sorted []uint32, u uint32) bool {
	_, ok := slices.BinarySearch(sorted, u)
	return ok
}

// CopyResult reports a COPY or MOVE for COPYUID (RFC 4315).
type CopyResult struct {
	UIDValidity uint32   // of the destination
	Source      []uint32 // source UIDs copied, ascending
	Dest        []uint32 // the destination UID of each, in the same order
}

// Copy copies the given UIDs (ascending) of src into dst with their flags
// (and \Recent set). A copy is a new message with its own ID that shares the
// original's bytes; deleting one leaves the other. Copying into the
// catch-all INBOX lists the copies there (EventNew).
func (s *Store) Copy(login string, src MailboxRef, dst string, uids []uint32) (CopyResult, error) {
	return s.copy(login, src, dst, uids, false)
}

// Move is Copy followed by removing the originals from src (RFC 6851), in
// one step that no reader can observe half done.
func (s *Store) Move(login string, src MailboxRef, dst string, uids []uint32) (CopyResult, error) {
	return s.copy(login, src, dst, uids, true)
}

func (s *Store) copy(login string, src MailboxRef, dst string, uids []uint32, move bool) (CopyResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	from, err := s.refLocked(login, src)
	if err != nil {
		return CopyResult{}, fmt.Errorf("copy from %q: %w", src.Name, err)
	}
	to, err := s.mailboxLocked(login, dst)
	if err != nil {
		return CopyResult{}, fmt.Errorf("copy to %q: %w", dst, err)
	}
	res := CopyResult{UIDValidity: to.uidValidity}
	var originals []*Message
	for _, u := range uids {
		i := from.find(u)
		if i < 0 {
			continue
		}
		e := from.entries[i]
		c := e.msg.clone()
		s.insertLocked(c)
		s.evNewOrMailboxLocked(to, c, e.flags&^FlagRecent, from.keywords[u])
		res.Source = append(res.Source, u)
		res.Dest = append(res.Dest, to.uidNext-1)
		originals = append(originals, e.msg)
	}
	if move && len(res.Source) > 0 {
		if from.isCatchAllInbox() {
			s.removeMessagesLocked(originals, EventDeleted)
		} else {
			for _, m := range from.removeUIDsLocked(res.Source) {
				s.forgetLocked(m)
			}
			s.publishLocked(Event{Type: EventMailbox, Changes: []Change{{Mailbox: from.id, User: from.user.key, Kind: ChangeExpunge, UIDs: res.Source}}})
		}
	}
	s.evictLocked()
	return res, nil
}

// evNewOrMailboxLocked adds m to mb and publishes the addition: EventNew in
// the catch-all INBOX, EventMailbox elsewhere.
func (s *Store) evNewOrMailboxLocked(mb *mailbox, m *Message, flags Flags, keywords []string) {
	e := mb.addLocked(m, flags, keywords)
	ev := Event{Type: EventMailbox, Changes: []Change{{Mailbox: mb.id, User: mb.user.key, Kind: ChangeAdded,
		Entries: []Entry{mb.entryLocked(mb.find(e.uid))}}}}
	if mb.isCatchAllInbox() {
		ev.Type, ev.Message = EventNew, m
	}
	s.publishLocked(ev) // its Seq is the m.Seq insertLocked set
}

// Append stores a copy of raw as a new message in one mailbox (IMAP
// APPEND) with the given flags and internal date (zero means now) and
// returns the destination's
// UIDVALIDITY and the new UID. Appending to the catch-all INBOX lists the
// message there (EventNew); elsewhere it lives in that mailbox only.
func (s *Store) Append(login, name string, raw []byte, flags Flags, keywords []string, date time.Time) (uidValidity, uid uint32, err error) {
	raw = NormalizeCRLF(raw)
	if int64(len(raw)) > s.maxBytes {
		return 0, 0, fmt.Errorf("append %d bytes: %w", len(raw), ErrTooLarge)
	}
	if date.IsZero() {
		date = s.now()
	}
	m := s.newMessage(Envelope{}, raw, date)
	s.mu.Lock()
	defer s.mu.Unlock()
	mb, err := s.mailboxLocked(login, name)
	if err != nil {
		return 0, 0, fmt.Errorf("append to %q: %w", name, err)
	}
	s.insertLocked(m)
	s.evNewOrMailboxLocked(mb, m, flags&^FlagRecent, keywords)
	uidValidity, uid = mb.uidValidity, mb.uidNext-1
	s.evictLocked()
	return uidValidity, uid, nil
}

// CreateMailbox creates a folder for login. Missing parent levels of a
// hierarchical name are created too (RFC 3501 6.3.3). The error wraps
// ErrExists or ErrInvalidName.
func (s *Store) CreateMailbox(login, name string) error {
	name = strings.TrimSuffix(name, Delimiter)
	if !validName(name) {
		return fmt.Errorf("create %q: %w", name, ErrInvalidName)
	}
	name = canonicalName(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(UserKey(login))
	if u.mailboxes[name] != nil {
		return fmt.Errorf("create %q: %w", name, ErrExists)
	}
	if err := s.makeParentsLocked(u, name); err != nil {
		return fmt.Errorf("create %q: %w", name, err)
	}
	s.addMailboxLocked(u, name)
	return nil
}

// makeParentsLocked creates the missing superior levels of a hierarchical
// name (RFC 3501 6.3.3, 6.3.5), checking the per-user limit for them and
// for name itself.
func (s *Store) makeParentsLocked(u *user, name string) error {
	parts := strings.Split(name, Delimiter)
	if len(u.mailboxes)+len(parts) > maxMailboxes {
		return fmt.Errorf("more than %d mailboxes: %w", maxMailboxes, ErrInvalidName)
	}
	for i := 1; i < len(parts); i++ {
		if n := strings.Join(parts[:i], Delimiter); u.mailboxes[n] == nil {
			s.addMailboxLocked(u, n)
		}
	}
	return nil
}

// addMailboxLocked creates one mailbox and publishes ChangeCreated.
func (s *Store) addMailboxLocked(u *user, name string) *mailbox {
	mb := s.newMailboxLocked(u, name)
	s.publishLocked(Event{Type: EventMailbox, Changes: []Change{{Mailbox: mb.id, User: u.key, Kind: ChangeCreated, Name: mb.name}}})
	return mb
}

// DeleteMailbox deletes a folder and the messages only it held. INBOX cannot
// be deleted (ErrInboxReserved); other errors wrap ErrNoMailbox.
func (s *Store) DeleteMailbox(login, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	mb, err := s.mailboxLocked(login, name)
	if err != nil {
		return fmt.Errorf("delete %q: %w", name, err)
	}
	if mb.name == Inbox {
		return fmt.Errorf("delete %q: %w", name, ErrInboxReserved)
	}
	uids := make([]uint32, len(mb.entries))
	for i, e := range mb.entries {
		uids[i] = e.uid
	}
	for _, m := range mb.removeUIDsLocked(uids) {
		s.forgetLocked(m)
	}
	delete(mb.user.mailboxes, mb.name)
	s.publishLocked(Event{Type: EventMailbox, Changes: []Change{{Mailbox: mb.id, User: mb.user.key, Kind: ChangeDeleted, UIDs: uids}}})
	return nil
}

// RenameMailbox renames a folder and every folder below it, keeping their
// UIDs and UIDVALIDITY. Renaming INBOX moves its messages into a new folder
// and leaves INBOX empty (RFC 3501 6.3.5); the catch-all INBOX cannot be
// renamed. Errors wrap ErrNoMailbox, ErrExists or ErrInvalidName.
func (s *Store) RenameMailbox(login, oldName, newName string) error {
	newName = strings.TrimSuffix(newName, Delimiter)
	if !validName(newName) {
		return fmt.Errorf("rename to %q: %w", newName, ErrInvalidName)
	}
	newName = canonicalName(newName)
	s.mu.Lock()
	defer s.mu.Unlock()
	mb, err := s.mailboxLocked(login, oldName)
	if err != nil {
		return fmt.Errorf("rename %q: %w", oldName, err)
	}
	u := mb.user
	if u.mailboxes[newName] != nil {
		return fmt.Errorf("rename to %q: %w", newName, ErrExists)
	}
	if mb.name == Inbox {
		return s.renameInboxLocked(mb, newName)
	}
	if newName == Inbox || strings.HasPrefix(newName, mb.name+Delimiter) {
		return fmt.Errorf("rename %q to %q: %w", mb.name, newName, ErrInvalidName)
	}
	if err := s.makeParentsLocked(u, newName); err != nil {
		return fmt.Errorf("rename to %q: %w", newName, err)
	}
	from := mb.name // canonical spelling of oldName
	prefix := from + Delimiter
	var moving []*mailbox
	for name, m := range u.mailboxes {
		if name == from || strings.HasPrefix(name, prefix) {
			moving = append(moving, m)
		}
	}
	sort.Slice(moving, func(i, j int) bool { return moving[i].name < moving[j].name })
	for _, m := range moving {
		delete(u.mailboxes, m.name)
	}
	for _, m := range moving {
		m.name = newName + m.name[len(from):]
		u.mailboxes[m.name] = m
		s.publishLocked(Event{Type: EventMailbox, Changes: []Change{{Mailbox: m.id, User: u.key, Kind: ChangeRenamed, Name: m.name}}})
	}
	return nil
}

func (s *Store) renameInboxLocked(inbox *mailbox, newName string) error {
	if inbox.isCatchAllInbox() {
		return fmt.Errorf("rename the catch-all INBOX: %w", ErrInvalidName)
	}
	if err := s.makeParentsLocked(inbox.user, newName); err != nil {
		return fmt.Errorf("rename INBOX to %q: %w", newName, err)
	}
	dst := s.addMailboxLocked(inbox.user, newName)
	uids := make([]uint32, len(inbox.entries))
	for i, e := range inbox.entries {
		uids[i] = e.uid
	}
	moved := slices.Clone(inbox.entries)
	keywords := maps.Clone(inbox.keywords)
	inbox.removeUIDsLocked(uids)
	for _, e := range moved {
		dst.addLocked(e.msg, e.flags&^FlagRecent, keywords[e.uid])
	}
	s.publishLocked(Event{Type: EventMailbox, Changes: []Change{{Mailbox: inbox.id, User: inbox.user.key, Kind: ChangeExpunge, UIDs: uids}}})
	return nil
}

// SetSubscribed marks a mailbox subscribed or not (IMAP SUBSCRIBE).
func (s *Store) SetSubscribed(login, name string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	mb, err := s.mailboxLocked(login, name)
	if err != nil {
		return fmt.Errorf("subscribe %q: %w", name, err)
	}
	mb.subscribed = on
	return nil
}

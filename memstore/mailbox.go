package memstore

import (
	"sort"
	"strings"
)

// Inbox is the name of every user's inbox. It is matched case-insensitively.
const Inbox = "INBOX"

// Delimiter is the mailbox hierarchy delimiter.
const Delimiter = "/"

// maxMailboxName bounds mailbox names (in bytes) and maxMailboxes the
// folders of one user, so that a client cannot grow memory without bound.
const (
	maxMailboxName = 512
	maxMailboxes   = 1000
)

// specialUse lists the folders every user has, with their RFC 6154
// attribute.
var specialUse = [...]struct{ name, attr string }{
	{"Drafts", `\Drafts`},
	{"Sent", `\Sent`},
	{"Trash", `\Trash`},
	{"Junk", `\Junk`},
}

// user is the set of mailboxes one login key opens.
type user struct {
	key       string
	mailboxes map[string]*mailbox // by canonical name
}

func (u *user) inbox() *mailbox { return u.mailboxes[Inbox] }

// mailbox is one folder: entries in ascending UID order.
type mailbox struct {
	id          uint64
	user        *user
	name        string
	specialUse  string
	subscribed  bool
	uidValidity uint32
	uidNext     uint32
	entries     []entry
	keywords    map[uint32][]string // keywords by UID; nil until one is set
}

// entry is one message in one mailbox.
type entry struct {
	msg   *Message
	uid   uint32
	flags Flags
}

// Entry is a message as one mailbox holds it: its UID and flags there.
// Entries returned by the store are copies; changing them changes nothing.
type Entry struct {
	UID      uint32
	Msg      *Message
	Flags    Flags
	Keywords []string
}

// MailboxInfo describes one mailbox (folder) of a user.
type MailboxInfo struct {
	ID          uint64 // unique for the life of the store; Change.Mailbox refers to it
	Name        string // full name with Delimiter; "INBOX" for the inbox
	SpecialUse  string // RFC 6154 attribute such as \Sent, or ""
	Subscribed  bool
	UIDValidity uint32
	UIDNext     uint32
	Messages    int
	Recent      int
	Unseen      int
	// FirstUnseen is the UID of the first message without \Seen, 0 if none.
	FirstUnseen uint32
}

// canonicalName returns the map key of a mailbox name: INBOX in any case
// becomes "INBOX", including as the first level of a hierarchy.
func canonicalName(name string) string {
	if strings.EqualFold(name, Inbox) {
		return Inbox
	}
	if len(name) > len(Inbox) && strings.EqualFold(name[:len(Inbox)], Inbox) && name[len(Inbox):len(Inbox)+1] == Delimiter {
		return Inbox + name[len(Inbox):]
	}
	return name
}

func validName(name string) bool {
	if name == "" || len(name) > maxMailboxName || strings.HasPrefix(name, Delimiter) ||
		strings.HasSuffix(name, Delimiter) || strings.Contains(name, Delimiter+Delimiter) {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '*' || r == '%' {
			return false
		}
	}
	return true
}

// userLocked returns the user for key, creating it with its INBOX and
// special-use folders.
func (s *Store) userLocked(key string) *user {
	if u := s.users[key]; u != nil {
		return u
	}
	u := &user{key: key, mailboxes: make(map[string]*mailbox, 1+len(specialUse))}
	s.users[key] = u
	s.newMailboxLocked(u, Inbox).subscribed = true
	for _, su := range specialUse {
		mb := s.newMailboxLocked(u, su.name)
		mb.specialUse = su.attr
		mb.subscribed = true
	}
	return u
}

func (s *Store) newMailboxLocked(u *user, name string) *mailbox {
	s.mailboxID++
	// UIDVALIDITY follows the clock and only grows, so that a restarted
	// intray never reuses a value a client may have cached.
	s.uidValidity = max(s.uidValidity+1, uint32(s.now().Unix()))
	mb := &mailbox{id: s.mailboxID, user: u, name: name, uidValidity: s.uidValidity, uidNext: 1}
	u.mailboxes[name] = mb
	return mb
}

// MailboxRef names a mailbox for an operation on its messages: by name
// and, when ID is not zero, only while the mailbox of that name is still
// the one with that ID (MailboxInfo.ID). An IMAP session pins its selected
// mailbox this way: if another session deleted it and created one of the
// same name, or renamed another mailbox onto the name, between the
// session's last look and its next command, the operation fails with
// ErrNoMailbox instead of changing a mailbox the session never selected.
type MailboxRef struct {
	Name string
	ID   uint64
}

// Named refers to whichever mailbox has name when the operation runs.
func Named(name string) MailboxRef { return MailboxRef{Name: name} }

// refLocked finds the mailbox ref names (see MailboxRef).
func (s *Store) refLocked(login string, ref MailboxRef) (*mailbox, error) {
	mb, err := s.mailboxLocked(login, ref.Name)
	if err == nil && ref.ID != 0 && mb.id != ref.ID {
		return nil, ErrNoMailbox
	}
	return mb, err
}

// mailboxLocked finds login's mailbox by name, creating the user if needed.
// The caller holds s.mu for writing.
func (s *Store) mailboxLocked(login, name string) (*mailbox, error) {
	u := s.userLocked(UserKey(login))
	mb := u.mailboxes[canonicalName(name)]
	if mb == nil {
		return nil, ErrNoMailbox
	}
	return mb, nil
}

// rlockMailbox finds login's mailbox under the read lock; a user not seen yet
// has only empty default mailboxes, so it is created under the write lock.
// It returns with s.mu read-locked on success and unlocked on error.
func (s *Store) rlockMailbox(login, name string) (*mailbox, error) {
	key := UserKey(login)
	s.mu.RLock()
	if u := s.users[key]; u != nil {
		if mb := u.mailboxes[canonicalName(name)]; mb != nil {
			return mb, nil
		}
		s.mu.RUnlock()
		return nil, ErrNoMailbox
	}
	s.mu.RUnlock()
	s.mu.Lock()
	s.userLocked(key)
	s.mu.Unlock()
	return s.rlockMailbox(login, name)
}

func (mb *mailbox) infoLocked() MailboxInfo {
	info := MailboxInfo{
		ID: mb.id, Name: mb.name, SpecialUse: mb.specialUse, Subscribed: mb.subscribed,
		UIDValidity: mb.uidValidity, UIDNext: mb.uidNext, Messages: len(mb.entries),
	}
	for _, e := range mb.entries {
		if e.flags&FlagRecent != 0 {
			info.Recent++
		}
		if e.flags&FlagSeen == 0 {
			info.Unseen++
			if info.FirstUnseen == 0 {
				info.FirstUnseen = e.uid
			}
		}
	}
	return info
}

func (mb *mailbox) unseenLocked() int {
	n := 0
	for _, e := range mb.entries {
		if e.flags&FlagSeen == 0 {
			n++
		}
	}
	return n
}

func (mb *mailbox) entryLocked(i int) Entry {
	e := mb.entries[i]
	out := Entry{UID: e.uid, Msg: e.msg, Flags: e.flags}
	if kw := mb.keywords[e.uid]; len(kw) > 0 {
		out.Keywords = append([]string(nil), kw...)
	}
	return out
}

// find returns the index of uid in mb.entries, or -1.
func (mb *mailbox) find(uid uint32) int {
	i := sort.Search(len(mb.entries), func(i int) bool { return mb.entries[i].uid >= uid })
	if i < len(mb.entries) && mb.entries[i].uid == uid {
		return i
	}
	return -1
}

// addLocked appends msg to mb with a fresh UID and returns the new entry.
func (mb *mailbox) addLocked(msg *Message, flags Flags, keywords []string) entry {
	e := entry{msg: msg, uid: mb.uidNext, flags: flags | FlagRecent}
	mb.uidNext++
	mb.entries = append(mb.entries, e)
	if len(keywords) > 0 {
		if mb.keywords == nil {
			mb.keywords = make(map[uint32][]string)
		}
		mb.keywords[e.uid] = applyKeywords(nil, FlagsReplace, keywords)
	}
	msg.locs = append(msg.locs, loc{mb: mb, uid: e.uid})
	return e
}

// removeUIDsLocked removes the entries with the given UIDs (sorted
// ascending) from mb, detaching them from their messages, and returns the
// messages that no mailbox holds any more. The entries slice is rebuilt, not
// edited in place, so that slices handed to readers stay valid.
func (mb *mailbox) removeUIDsLocked(uids []uint32) (orphans []*Message) {
	if len(uids) == 0 {
		return nil
	}
	// Fast path: removing a prefix (eviction of the oldest) re-slices.
	if isPrefix(mb.entries, uids) {
		for _, e := range mb.entries[:len(uids)] {
			orphans = mb.detachLocked(e, orphans)
		}
		mb.entries = mb.entries[len(uids):]
		return orphans
	}
	kept := make([]entry, 0, len(mb.entries)-len(uids))
	j := 0
	for _, e := range mb.entries {
		for j < len(uids) && uids[j] < e.uid {
			j++
		}
		if j < len(uids) && uids[j] == e.uid {
			orphans = mb.detachLocked(e, orphans)
			continue
		}
		kept = append(kept, e)
	}
	mb.entries = kept
	return orphans
}

func (mb *mailbox) detachLocked(e entry, orphans []*Message) []*Message {
	delete(mb.keywords, e.uid)
	m := e.msg
	for i, l := range m.locs {
		if l.mb == mb && l.uid == e.uid {
			m.locs = append(m.locs[:i:i], m.locs[i+1:]...)
			break
		}
	}
	if len(m.locs) == 0 {
		orphans = append(orphans, m)
	}
	return orphans
}

// isCatchAllInbox reports whether mb is the catch-all view, where deleting
// removes a message everywhere.
func (mb *mailbox) isCatchAllInbox() bool {
	return mb.user.key == CatchAll && mb.name == Inbox
}

// isPrefix reports whether uids are exactly the UIDs of the first entries.
func isPrefix(entries []entry, uids []uint32) bool {
	if len(uids) > len(entries) {
		return false
	}
	for i, u := range uids {
		if entries[i].uid != u {
			return false
		}
	}
	return true
}

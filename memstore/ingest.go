package memstore

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"intray/memstore/mimepart"
)

// Add stores a received message: once in the catch-all view and once in the
// INBOX of every distinct envelope recipient (compared case-insensitively),
// then publishes EventNew and evicts the oldest messages if a limit is
// exceeded. Add copies raw (into slab memory, see slab.go), so the caller
// may reuse it; bare LF and bare CR line endings are normalised to CRLF. It
// returns ErrTooLarge if the message alone exceeds the store's byte limit.
func (s *Store) Add(env Envelope, raw []byte) (*Message, error) {
	raw = NormalizeCRLF(raw)
	if int64(len(raw)) > s.maxBytes {
		return nil, fmt.Errorf("add message of %d bytes: %w", len(raw), ErrTooLarge)
	}
	m := s.newMessage(env, raw, s.now())
	rcpts := recipientKeys(m.Envelope.RcptTo)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.insertLocked(m)
	changes := make([]Change, 0, 1+len(rcpts))
	changes = append(changes, addChange(s.users[CatchAll].inbox(), m))
	for _, r := range rcpts {
		changes = append(changes, addChange(s.userLocked(r).inbox(), m))
	}
	s.publishLocked(Event{Type: EventNew, Message: m, Changes: changes})
	s.evictLocked()
	return m, nil
}

// snippetMax bounds the stored snippet (in bytes, cut at a rune boundary):
// enough for a list row, small enough to keep 100,000 messages cheap.
const snippetMax = 80

func (s *Store) newMessage(env Envelope, raw []byte, now time.Time) *Message {
	sum := mimepart.ParseSummary(raw)
	snippet := truncateUTF8(sum.Snippet, snippetMax)
	// raw and every string kept go into one slab region: the caller keeps
	// its buffers, and summary strings that share memory with larger parse
	// buffers do not keep those alive.
	n := len(raw) + len(env.MailFrom) + len(env.Transcript) + len(sum.Subject) + len(snippet) +
		addressesLen(sum.From) + addressesLen(sum.To...) + addressesLen(sum.Cc...)
	for _, r := range env.RcptTo {
		n += len(r)
	}
	buf, owner := s.slabs.alloc(n)
	p := packer{buf: buf}
	m := &Message{
		slab:           owner,
		Raw:            p.bytes(raw),
		Envelope:       env,
		ReceivedAt:     now,
		From:           p.address(sum.From),
		To:             p.addresses(sum.To),
		Cc:             p.addresses(sum.Cc),
		Subject:        p.str(sum.Subject),
		Date:           s.zones.intern(sum.Date),
		Snippet:        p.str(snippet),
		HasAttachments: sum.HasAttachments,
	}
	// Helo, RemoteAddr and AuthUser are one string per session, shared by
	// its messages, so they are not copied.
	m.Envelope.MailFrom = p.str(env.MailFrom)
	m.Envelope.Transcript = p.str(env.Transcript)
	if len(env.RcptTo) > 0 {
		m.Envelope.RcptTo = make([]string, len(env.RcptTo))
		for i, r := range env.RcptTo {
			m.Envelope.RcptTo[i] = p.str(r)
		}
	}
	return m
}

// addressesLen is the number of bytes of the strings of list.
func addressesLen(list ...Address) int {
	n := 0
	for _, a := range list {
		n += len(a.Name) + len(a.Address)
	}
	return n
}

func (p *packer) address(a Address) Address {
	return Address{Name: p.str(a.Name), Address: p.str(a.Address)}
}

func (p *packer) addresses(list []Address) []Address {
	if len(list) == 0 {
		return nil
	}
	out := make([]Address, len(list))
	for i, a := range list {
		out[i] = p.address(a)
	}
	return out
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func addChange(mb *mailbox, m *Message) Change {
	e := mb.addLocked(m, 0, nil)
	return Change{Mailbox: mb.id, User: mb.user.key, Kind: ChangeAdded,
		Entries: []Entry{{UID: e.uid, Msg: m, Flags: e.flags}}}
}

// recipientKeys returns the distinct lower-cased recipient addresses.
func recipientKeys(rcpts []string) []string {
	out := make([]string, 0, len(rcpts))
	for _, r := range rcpts {
		k := strings.ToLower(strings.TrimSpace(r))
		if k == "" || strings.IndexByte(k, '@') < 0 || slices.Contains(out, k) {
			continue
		}
		out = append(out, k)
	}
	return out
}

// insertLocked gives m its ID and sequence number and links it into the
// store's index and arrival list.
func (s *Store) insertLocked(m *Message) {
	s.idx.add(m)
	m.Seq = s.seq + 1 // the Seq of the event that will announce it
	s.bytes += int64(len(m.Raw))
	if m.slab.live++; m.slab.live == 1 {
		s.held += int64(m.slab.size)
	}
	m.prev = s.newest
	if s.newest != nil {
		s.newest.next = m
	} else {
		s.oldest = m
	}
	s.newest = m
}

// forgetLocked removes a message that no mailbox holds from the index.
func (s *Store) forgetLocked(m *Message) {
	if !s.idx.remove(m) {
		return
	}
	s.bytes -= int64(len(m.Raw))
	if m.slab.live--; m.slab.live == 0 {
		s.held -= int64(m.slab.size)
	}
	if m.prev != nil {
		m.prev.next = m.next
	} else {
		s.oldest = m.next
	}
	if m.next != nil {
		m.next.prev = m.prev
	} else {
		s.newest = m.prev
	}
	m.prev, m.next = nil, nil
}

// NormalizeCRLF returns b with every bare LF and bare CR turned into CRLF.
// It returns b itself when it has no bare line ending, which it checks with
// two vectorised scans.
func NormalizeCRLF(b []byte) []byte {
	if !hasBareEOL(b) {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/32+2)
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '\r':
			out = append(out, '\r', '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, c)
		}
	}
	return out
}

// hasBareEOL reports whether b has an LF not preceded by CR or a CR not
// followed by LF.
func hasBareEOL(b []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		i += j
		if i == 0 || b[i-1] != '\r' {
			return true
		}
		i++
	}
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\r')
		if j < 0 {
			return false
		}
		i += j
		if i+1 >= len(b) || b[i+1] != '\n' {
			return true
		}
		i++
	}
}

// evictLocked removes the oldest messages while a limit is exceeded: the
// count, the message bytes, or the memory held (see Store.held), which may
// exceed the byte limit by one slab. The newest message always stays.
func (s *Store) evictLocked() {
	var victims []*Message
	n, size, held := s.idx.count, s.bytes, s.held
	for m := s.oldest; m != nil && m != s.newest; m = m.next {
		if n <= s.maxMessages && size <= s.maxBytes && held <= s.maxBytes+slabSize {
			break
		}
		victims = append(victims, m)
		n--
		size -= int64(len(m.Raw))
		// Count the victim out of its slab to see whether that frees it;
		// the counts are restored below, and forgetLocked takes them for
		// real.
		if m.slab.live--; m.slab.live == 0 {
			held -= int64(m.slab.size)
		}
	}
	for _, m := range victims {
		m.slab.live++
	}
	if len(victims) > 0 {
		s.removeMessagesLocked(victims, EventEvicted)
	}
}

// removeMessagesLocked removes msgs from every mailbox that holds them and
// publishes one event of type typ (EventDeleted or EventEvicted).
func (s *Store) removeMessagesLocked(msgs []*Message, typ EventType) {
	byMailbox := make(map[*mailbox][]uint32)
	var order []*mailbox
	for _, m := range msgs {
		for _, l := range m.locs {
			if _, ok := byMailbox[l.mb]; !ok {
				order = append(order, l.mb)
			}
			byMailbox[l.mb] = append(byMailbox[l.mb], l.uid)
		}
	}
	ev := Event{Type: typ}
	for _, m := range msgs {
		if m.listedLocked() {
			ev.IDs = append(ev.IDs, m.ID)
		}
	}
	for _, mb := range order {
		uids := byMailbox[mb]
		slices.Sort(uids)
		ev.Changes = append(ev.Changes, Change{Mailbox: mb.id, User: mb.user.key, Kind: ChangeExpunge, UIDs: uids})
		mb.removeUIDsLocked(uids)
	}
	for _, m := range msgs {
		s.forgetLocked(m)
	}
	if len(ev.IDs) == 0 {
		ev.Type = EventMailbox
	}
	s.publishLocked(ev)
}

// listedLocked reports whether m is in the catch-all view.
func (m *Message) listedLocked() bool {
	for _, l := range m.locs {
		if l.mb.isCatchAllInbox() {
			return true
		}
	}
	return false
}

// Get returns a message by ID as the catch-all view holds it (Flags carry
// its read state), or as the one folder that holds it. The error wraps
// ErrNotFound.
func (s *Store) Get(id string) (Entry, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := s.idx.get(id)
	if m == nil {
		return Entry{}, fmt.Errorf("message %q: %w", id, ErrNotFound)
	}
	pick := m.locs[0]
	for _, l := range m.locs {
		if l.mb.isCatchAllInbox() {
			pick = l
			break
		}
	}
	return pick.mb.entryLocked(pick.mb.find(pick.uid)), nil
}

// Delete removes the messages with the given IDs from every mailbox and
// publishes EventDeleted. It returns the IDs it found, in the given order.
func (s *Store) Delete(ids ...string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []string
	var msgs []*Message
	for _, id := range ids {
		if m := s.idx.get(id); m != nil && !slices.Contains(msgs, m) {
			msgs = append(msgs, m)
			found = append(found, id)
		}
	}
	if len(msgs) > 0 {
		s.removeMessagesLocked(msgs, EventDeleted)
	}
	return found
}

// DeleteMatching deletes every catch-all message that f matches, as Delete
// does, and returns their IDs.
func (s *Store) DeleteMatching(f Filter) ([]string, error) {
	_, page, err := s.List(f, 0, -1)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(page))
	for i, e := range page {
		ids[i] = e.Msg.ID
	}
	return s.Delete(ids...), nil
}

// Reset removes every message from every mailbox and folder of every user
// and publishes EventReset. Mailboxes themselves, their UIDVALIDITY and
// UIDNEXT stay, so open IMAP sessions see plain expunges.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := Event{Type: EventReset}
	for _, u := range s.users {
		for _, mb := range u.mailboxes {
			if len(mb.entries) == 0 {
				continue
			}
			uids := make([]uint32, len(mb.entries))
			for i, e := range mb.entries {
				uids[i] = e.uid
			}
			ev.Changes = append(ev.Changes, Change{Mailbox: mb.id, User: u.key, Kind: ChangeExpunge, UIDs: uids})
			mb.entries = nil
			mb.keywords = nil
		}
	}
	for m := s.oldest; m != nil; {
		next := m.next
		m.locs, m.prev, m.next = nil, nil, nil
		m.slab.live = 0
		m = next
	}
	s.idx.reset()
	s.oldest, s.newest, s.bytes, s.held = nil, nil, 0, 0
	s.publishLocked(ev)
}

// SetRead sets or clears the catch-all \Seen flag of a message (its "read"
// state) and publishes EventRead if it changed. The error wraps ErrNotFound
// if the message is not in the catch-all view.
func (s *Store) SetRead(id string, read bool) error {
	op := FlagsRemove
	if read {
		op = FlagsAdd
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.idx.get(id)
	if m == nil {
		return fmt.Errorf("message %q: %w", id, ErrNotFound)
	}
	for _, l := range m.locs {
		if l.mb.isCatchAllInbox() {
			s.setFlagsLocked(l.mb, []uint32{l.uid}, op, FlagSeen, nil)
			return nil
		}
	}
	return fmt.Errorf("message %q is not in the catch-all view: %w", id, ErrNotFound)
}

// RecipientMailbox is one recipient's INBOX with its counts.
type RecipientMailbox struct {
	Address string `json:"address"`
	Total   int    `json:"total"`
	Unread  int    `json:"unread"`
}

// Recipients returns every recipient mailbox that holds mail, sorted by
// address. Unread counts the messages whose read state (the catch-all
// \Seen flag, as the web inbox shows it) is unset.
func (s *Store) Recipients() []RecipientMailbox {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []RecipientMailbox
	for key, u := range s.users {
		in := u.inbox()
		if key == CatchAll || len(in.entries) == 0 {
			continue
		}
		out = append(out, RecipientMailbox{Address: key, Total: len(in.entries), Unread: s.unreadLocked(in)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// unreadLocked counts the entries of mb whose catch-all entry lacks \Seen.
func (s *Store) unreadLocked(mb *mailbox) int {
	all := s.users[CatchAll].inbox()
	n := 0
	for _, e := range mb.entries {
		for _, l := range e.msg.locs {
			if l.mb == all {
				if i := all.find(l.uid); i >= 0 && all.entries[i].flags&FlagSeen == 0 {
					n++
				}
				break
			}
		}
	}
	return n
}

// zoneCache shares one *time.Location per UTC offset between the Date fields
// of all messages: a parsed numeric zone is otherwise a fresh Location of
// about 130 bytes per message.
type zoneCache struct {
	m sync.Map // int (offset in seconds) -> *time.Location
}

// intern returns t in a shared Location with the same name and offset.
func (c *zoneCache) intern(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	name, off := t.Zone()
	if t.Location() == time.UTC || (off == 0 && name == "UTC") {
		return t.UTC()
	}
	key := zoneKey{name, off}
	if loc, ok := c.m.Load(key); ok {
		return t.In(loc.(*time.Location))
	}
	key.name = strings.Clone(name) // name may point into the message being parsed
	loc, _ := c.m.LoadOrStore(key, time.FixedZone(key.name, off))
	return t.In(loc.(*time.Location))
}

type zoneKey struct {
	name string
	off  int
}

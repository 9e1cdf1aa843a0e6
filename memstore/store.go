// Package memstore keeps intray's mail in memory: messages with their
// envelopes and exact bytes, the catch-all view of every message, one mailbox
// per envelope recipient, per-user IMAP folders with flags, UIDs and
// UIDVALIDITY, search, size limits with eviction, and the change events that
// every reader consumes.
//
// memstore knows no protocol: it holds no sequence numbers, reply codes or
// network state. It gives IMAP what it needs (per-mailbox UIDs that only grow
// and a fixed UIDVALIDITY) and publishes every mutation as an Event after it
// commits, so no caller can forget to notify.
//
// The mailbox model: a login name that contains '@' names that recipient's
// mailboxes (its INBOX holds the mail delivered to that address); any other
// login names the catch-all user, whose INBOX is every message. Deleting from
// a recipient's mailbox removes the message from that mailbox only; deleting
// from the catch-all INBOX (or through Delete, DeleteMatching, Reset) removes
// it everywhere. Messages APPENDed to a folder other than the catch-all INBOX
// live in that folder only.
//
// All methods are safe for concurrent use. Writers hold one mutex for a few
// microseconds; long readers (search) copy what they need under a read lock
// and work without it, so they never block ingest for long.
package memstore

import (
	"cmp"
	"errors"
	"strings"
	"sync"
	"time"
)

// Default limits, used when Options leaves a field zero.
const (
	DefaultMaxMessages = 100_000
	DefaultMaxBytes    = 512 << 20 // 512 MiB of message bytes
)

// Sentinel errors. They are returned wrapped; test with errors.Is.
var (
	ErrNotFound      = errors.New("memstore: not found")
	ErrExists        = errors.New("memstore: mailbox already exists")
	ErrNoMailbox     = errors.New("memstore: no such mailbox")
	ErrInvalidName   = errors.New("memstore: invalid mailbox name")
	ErrTooLarge      = errors.New("memstore: message exceeds the store's byte limit")
	ErrInboxReserved = errors.New("memstore: INBOX cannot be deleted")
)

// Options configure a Store. The zero value of a field means its default.
type Options struct {
	MaxMessages int   // messages kept before the oldest is evicted; default DefaultMaxMessages
	MaxBytes    int64 // total message bytes kept before the oldest is evicted; default DefaultMaxBytes
	TreeCache   int   // parsed MIME trees kept cached; default DefaultTreeCache
	// Now returns the current time; default time.Now. For tests.
	Now func() time.Time
}

// Store is the in-memory mail store. Create it with New. A Store is safe for
// concurrent use by any number of goroutines.
type Store struct {
	maxMessages int
	maxBytes    int64
	now         func() time.Time
	zones       zoneCache // shared Locations for Message.Date
	slabs       slabs     // memory for message bytes
	trees       *treeCache

	mu  sync.RWMutex // guards every field below and the mutable fields of Message, mailbox and user
	idx index        // every stored message by ID
	// oldest and newest are the ends of the arrival-order list of all messages.
	oldest, newest *Message
	bytes          int64 // sum of len(Raw) over messages
	// held is the memory the messages keep from being freed: the whole
	// size of every slab some message has bytes in. Deleting messages in
	// any order can leave a few in each slab; counting held against the
	// byte limit (with one slab of slack) evicts those, the oldest, rather
	// than let the process grow past the limit.
	held        int64
	users       map[string]*user
	seq         uint64 // last event sequence number
	mailboxID   uint64 // last mailbox ID handed out
	uidValidity uint32 // last UIDVALIDITY handed out
	subs        map[*Subscription]struct{}
}

// New returns an empty Store.
func New(opts Options) *Store {
	s := &Store{
		maxMessages: opts.MaxMessages,
		maxBytes:    opts.MaxBytes,
		now:         opts.Now,
		idx:         newIndex(),
		users:       make(map[string]*user),
		subs:        make(map[*Subscription]struct{}),
		trees:       newTreeCache(cmp.Or(max(opts.TreeCache, 0), DefaultTreeCache)),
	}
	if s.maxMessages <= 0 {
		s.maxMessages = DefaultMaxMessages
	}
	if s.maxBytes <= 0 {
		s.maxBytes = DefaultMaxBytes
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.slabs.trees = s.trees
	// UIDVALIDITY values start from the clock so that a restarted intray
	// never reuses a UIDVALIDITY a client may have cached (RFC 3501 2.3.1.1).
	s.uidValidity = uint32(s.now().Unix()) - 1
	s.userLocked(CatchAll)
	return s
}

// CatchAll is the user key of the catch-all view: every login name without
// '@' maps to it.
const CatchAll = ""

// UserKey maps a login name to the user whose mailboxes it opens: the
// lower-cased address for a name containing '@', CatchAll otherwise.
func UserKey(login string) string {
	if strings.IndexByte(login, '@') < 0 {
		return CatchAll
	}
	return strings.ToLower(strings.TrimSpace(login))
}

// Stats are the store's counters.
type Stats struct {
	Messages    int   // messages stored (in any mailbox)
	Listed      int   // messages in the catch-all view
	Unread      int   // catch-all messages without \Seen
	Bytes       int64 // message bytes stored
	MaxMessages int
	MaxBytes    int64
	Mailboxes   int    // recipient mailboxes with at least one message
	Seq         uint64 // last event sequence number
}

// Stats returns the current counters.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	inbox := s.users[CatchAll].inbox()
	st := Stats{
		Messages:    s.idx.count,
		Listed:      len(inbox.entries),
		Unread:      inbox.unseenLocked(),
		Bytes:       s.bytes,
		MaxMessages: s.maxMessages,
		MaxBytes:    s.maxBytes,
		Seq:         s.seq,
	}
	for key, u := range s.users {
		if key != CatchAll && len(u.inbox().entries) > 0 {
			st.Mailboxes++
		}
	}
	return st
}

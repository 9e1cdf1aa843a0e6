package memstore

import "sync/atomic"

// EventType names a kind of change. The values are the event type names of
// the HTTP event stream.
type EventType string

// Event types.
const (
	EventNew     EventType = "new"     // a message joined the catch-all view: Message
	EventDeleted EventType = "deleted" // messages left the catch-all view by deletion: IDs
	EventRead    EventType = "read"    // the catch-all \Seen flag changed: ID, Read
	EventReset   EventType = "reset"   // every message was removed
	EventEvicted EventType = "evicted" // the oldest messages were evicted by a limit: IDs
	// EventMailbox is any other change, visible only in Changes: mail
	// delivered or appended to a folder, flags, expunges in a recipient's
	// mailbox, mailboxes created, renamed or deleted.
	EventMailbox EventType = "mailbox"
)

// ChangeKind says what happened to a mailbox.
type ChangeKind uint8

// Change kinds.
const (
	ChangeAdded   ChangeKind = iota + 1 // Entries were added
	ChangeExpunge                       // UIDs were removed
	ChangeFlags                         // Entries have new flags
	ChangeCreated                       // the mailbox was created
	ChangeRenamed                       // the mailbox was renamed (IDs and UIDs are unchanged)
	ChangeDeleted                       // the mailbox was deleted
)

// Change is what one event did to one mailbox, for sessions that have it
// selected.
type Change struct {
	Mailbox uint64 // MailboxInfo.ID
	User    string // the user key that owns it (see UserKey)
	Kind    ChangeKind
	Name    string   // ChangeCreated, ChangeRenamed: the mailbox's (new) name
	UIDs    []uint32 // ChangeExpunge: the UIDs removed, ascending
	Entries []Entry  // ChangeAdded, ChangeFlags: the entries as they now are
}

// Event is one committed change. Events are published in strictly
// increasing Seq order. An Event and what it points to must not be modified.
type Event struct {
	Seq     uint64
	Type    EventType
	Message *Message // EventNew
	IDs     []string // EventDeleted, EventEvicted
	ID      string   // EventRead
	Read    bool     // EventRead
	Changes []Change
}

// DefaultSubscriptionBuffer is the channel capacity Subscribe uses for a
// buffer of 0.
const DefaultSubscriptionBuffer = 1024

// Subscription receives every event published after it was created. Events
// arrive on C in Seq order. A subscriber that lets C fill up is not waited
// for: its subscription is closed (C is closed) and Lagged reports true, so
// it can resynchronise from the store's current state and subscribe again.
type Subscription struct {
	C <-chan Event

	ch     chan Event
	store  *Store
	seq    uint64
	user   *string // only events that touch this user's mailboxes; nil: all
	lagged atomic.Bool
	closed bool // guarded by store.mu
}

// Subscribe returns a subscription with a channel buffer of the given size
// (DefaultSubscriptionBuffer when 0). Close it when done.
func (s *Store) Subscribe(buffer int) *Subscription {
	if buffer <= 0 {
		buffer = DefaultSubscriptionBuffer
	}
	ch := make(chan Event, buffer)
	sub := &Subscription{C: ch, ch: ch, store: s}
	s.mu.Lock()
	sub.seq = s.seq
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	return sub
}

// SubscribeUser is Subscribe for one login's mailboxes: it receives only
// the events whose Changes touch a mailbox of that user (see UserKey), and
// every EventReset. For the catch-all user that is every delivery, since
// every message lands in the catch-all INBOX. An IMAP session uses it so
// that mail for other recipients neither wakes it nor fills its buffer.
func (s *Store) SubscribeUser(buffer int, login string) *Subscription {
	sub := s.Subscribe(buffer)
	key := UserKey(login)
	s.mu.Lock()
	sub.user = &key
	s.mu.Unlock()
	return sub
}

// wants reports whether the subscription receives ev.
func (sub *Subscription) wants(ev *Event) bool {
	if sub.user == nil || ev.Type == EventReset {
		return true
	}
	for i := range ev.Changes {
		if ev.Changes[i].User == *sub.user {
			return true
		}
	}
	return false
}

// Seq is the sequence number of the last event published before the
// subscription started: it receives exactly the events after it.
func (sub *Subscription) Seq() uint64 { return sub.seq }

// Lagged reports whether the subscription was closed because its buffer
// overflowed.
func (sub *Subscription) Lagged() bool { return sub.lagged.Load() }

// Close ends the subscription and closes C. It is safe to call more than
// once and concurrently with publishing.
func (sub *Subscription) Close() {
	s := sub.store
	s.mu.Lock()
	defer s.mu.Unlock()
	sub.closeLocked()
}

func (sub *Subscription) closeLocked() {
	if sub.closed {
		return
	}
	sub.closed = true
	delete(sub.store.subs, sub)
	close(sub.ch)
}

// publishLocked numbers ev and hands it to every subscriber without
// blocking. The caller holds s.mu for writing and has committed the change.
func (s *Store) publishLocked(ev Event) {
	s.seq++
	ev.Seq = s.seq
	for sub := range s.subs {
		if !sub.wants(&ev) {
			continue
		}
		select {
		case sub.ch <- ev:
		default:
			sub.lagged.Store(true)
			sub.closeLocked()
		}
	}
}

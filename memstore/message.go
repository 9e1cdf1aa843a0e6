package memstore

import (
	"sync/atomic"
	"time"

	"intray/memstore/mimepart"
)

// Address is a display name and an e-mail address taken from a header.
type Address = mimepart.Address

// Envelope is the SMTP envelope of a message and the facts of the session
// that delivered it. The store copies what it keeps (RcptTo included), so
// the caller may reuse its slices afterwards.
type Envelope struct {
	MailFrom   string   // reverse-path without brackets; "" for MAIL FROM:<>
	RcptTo     []string // forward-paths without brackets, in RCPT order, Bcc included
	Helo       string   // the HELO/EHLO argument
	RemoteAddr string   // client address as host:port
	AuthUser   string   // the AUTH identity, "" when the client did not authenticate
	TLS        bool     // whether the transaction ran over TLS (STARTTLS or implicit)
	// Transcript is the SMTP dialogue of this transaction, one line per
	// command or reply, each prefixed with "C: " or "S: " and ended with
	// CRLF. Message data is not included. Empty when not received by SMTP.
	Transcript string
}

// Message is one stored message. A Message is immutable once added and safe
// to share between goroutines; its flags live in the mailboxes that hold it
// (see Entry).
type Message struct {
	ID         string    // short, URL-safe, unique within the store
	Seq        uint64    // the sequence number of the event that added it; grows with every addition
	Raw        []byte    // the exact bytes, CRLF line endings; never modify
	Envelope   Envelope  // how it arrived
	ReceivedAt time.Time // when the store accepted it

	// Summary fields parsed at ingest.
	From           Address
	To, Cc         []Address
	Subject        string
	Date           time.Time // zero when the Date header is missing or unparsable
	Snippet        string
	HasAttachments bool

	slab *slab                         // where Raw and the strings are; its live count is guarded by Store.mu
	tree atomic.Pointer[mimepart.Part] // parsed MIME tree, set on first use

	// Fields below are guarded by Store.mu.
	locs       []loc    // every mailbox entry that holds this message
	prev, next *Message // store-wide arrival order, for eviction
}

// Size is the message size in octets.
func (m *Message) Size() int { return len(m.Raw) }

// Tree returns the message's parsed MIME tree, parsing it on first use and
// caching it; the store keeps only the most recently parsed trees cached
// (see treeCache), so a client that walks every message does not double
// the store's memory. Safe for concurrent use.
func (m *Message) Tree() *mimepart.Part {
	if p := m.tree.Load(); p != nil {
		return p
	}
	p := mimepart.Parse(m.Raw)
	if !m.tree.CompareAndSwap(nil, p) {
		if q := m.tree.Load(); q != nil {
			return q
		}
		return p
	}
	if m.slab != nil && m.slab.trees != nil { // the store's bound on cached trees
		m.slab.trees.add(m)
	}
	return p
}

// loc is one place a message is held: a mailbox and the UID it has there.
type loc struct {
	mb  *mailbox
	uid uint32
}

// clone returns a new, unstored message with m's bytes, envelope and summary.
func (m *Message) clone() *Message {
	c := &Message{
		Raw: m.Raw, Envelope: m.Envelope, ReceivedAt: m.ReceivedAt,
		From: m.From, To: m.To, Cc: m.Cc, Subject: m.Subject, Date: m.Date,
		Snippet: m.Snippet, HasAttachments: m.HasAttachments,
	}
	c.slab = m.slab
	return c
}

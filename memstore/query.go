package memstore

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"intray/internal/fold"
)

// Filter selects catch-all messages. Every set field must match.
type Filter struct {
	// Query is the search language: free words and "quoted phrases" match
	// the subject, addresses, names and the message text; from:, to:,
	// subject: restrict a word to a field; is:read, is:unread and
	// has:attachment test state; a leading '-' negates any term.
	Query   string
	To      string    // envelope recipients and To/Cc headers (substring, case-insensitive)
	From    string    // MAIL FROM and the From header
	Subject string    // the decoded subject
	Since   time.Time // only messages received after it
	SinceID string    // only messages added after this one
}

// term is one parsed element of a query.
type term struct {
	field string // "", "from", "to", "subject", "is", "has"
	value string // lower-cased
	neg   bool
}

// Matcher is a compiled Filter. It is immutable and safe for concurrent use.
type Matcher struct {
	terms    []term
	since    time.Time
	sinceSeq uint64
}

// Matcher compiles f. SinceID is resolved against the store now; the error
// wraps ErrNotFound if it names no stored message.
func (s *Store) Matcher(f Filter) (*Matcher, error) {
	m := &Matcher{since: f.Since, terms: parseQuery(f.Query)}
	for _, t := range [...]term{{field: "to", value: f.To}, {field: "from", value: f.From}, {field: "subject", value: f.Subject}} {
		if v := strings.TrimSpace(t.value); v != "" {
			m.terms = append(m.terms, term{field: t.field, value: strings.ToLower(v)})
		}
	}
	if f.SinceID != "" {
		s.mu.RLock()
		msg := s.idx.get(f.SinceID)
		s.mu.RUnlock()
		if msg == nil {
			return nil, fmt.Errorf("since %q: %w", f.SinceID, ErrNotFound)
		}
		m.sinceSeq = msg.Seq
	}
	return m, nil
}

// parseQuery splits the search language into terms.
func parseQuery(q string) []term {
	var out []term
	for q = strings.TrimSpace(q); q != ""; q = strings.TrimSpace(q) {
		var t term
		if q[0] == '-' && len(q) > 1 {
			t.neg = true
			q = q[1:]
		}
		var word string
		word, q = nextWord(q)
		if i := strings.IndexByte(word, ':'); i > 0 && !strings.HasPrefix(word, `"`) {
			switch f := strings.ToLower(word[:i]); f {
			case "from", "to", "subject", "is", "has":
				t.field = f
				word = word[i+1:]
				if word == "" && strings.HasPrefix(q, `"`) {
					word, q = nextWord(q)
				}
			}
		}
		t.value = strings.ToLower(strings.Trim(word, `"`))
		if t.value != "" {
			out = append(out, t)
		}
	}
	return out
}

// nextWord returns the first word of q (a quoted phrase is one word, and so
// is field:"quoted phrase") and the rest.
func nextWord(q string) (word, rest string) {
	inQuote := false
	for i := 0; i < len(q); i++ {
		switch q[i] {
		case '"':
			inQuote = !inQuote
			if !inQuote {
				return q[:i+1], q[i+1:]
			}
		case ' ', '\t':
			if !inQuote {
				return q[:i], q[i:]
			}
		}
	}
	return q, ""
}

// Match reports whether the entry (a catch-all entry, whose flags give the
// read state) matches.
func (m *Matcher) Match(e Entry) bool {
	msg := e.Msg
	if m.sinceSeq != 0 && msg.Seq <= m.sinceSeq {
		return false
	}
	if !m.since.IsZero() && !msg.ReceivedAt.After(m.since) {
		return false
	}
	for _, t := range m.terms {
		if t.match(e) == t.neg {
			return false
		}
	}
	return true
}

func (t term) match(e Entry) bool {
	m := e.Msg
	switch t.field {
	case "from":
		return matchFrom(m, t.value)
	case "to":
		return matchTo(m, t.value)
	case "subject":
		return containsFoldString(m.Subject, t.value)
	case "is":
		switch t.value {
		case "read", "seen":
			return e.Flags&FlagSeen != 0
		case "unread", "unseen", "new":
			return e.Flags&FlagSeen == 0
		case "flagged", "starred":
			return e.Flags&FlagFlagged != 0
		}
		return false
	case "has":
		return strings.HasPrefix(t.value, "attachment") && m.HasAttachments
	}
	return containsFoldString(m.Subject, t.value) || matchFrom(m, t.value) || matchTo(m, t.value) ||
		containsFoldBytes(m.Raw, t.value)
}

func matchFrom(m *Message, v string) bool {
	return containsFoldString(m.Envelope.MailFrom, v) || containsFoldString(m.From.Address, v) ||
		containsFoldString(m.From.Name, v)
}

func matchTo(m *Message, v string) bool {
	for _, r := range m.Envelope.RcptTo {
		if containsFoldString(r, v) {
			return true
		}
	}
	for _, list := range [2][]Address{m.To, m.Cc} {
		for _, a := range list {
			if containsFoldString(a.Address, v) || containsFoldString(a.Name, v) {
				return true
			}
		}
	}
	return false
}

// containsFoldString reports whether lower (already lower-cased) occurs in
// s, ignoring case.
func containsFoldString(s, lower string) bool {
	if len(lower) > len(s) {
		return false
	}
	if isASCII(lower) {
		return fold.IndexString(s, lower) >= 0
	}
	return strings.Contains(strings.ToLower(s), lower)
}

// containsFoldBytes is containsFoldString over bytes; for a non-ASCII needle
// it also matches the exact UTF-8 bytes.
func containsFoldBytes(b []byte, lower string) bool {
	if isASCII(lower) {
		return fold.Index(b, lower) >= 0
	}
	return bytes.Contains(bytes.ToLower(b), []byte(lower))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// List returns the catch-all messages that f matches, newest first: the
// total number of matches and the page [offset, offset+limit). A negative
// limit means all. The error wraps ErrNotFound for an unknown SinceID.
func (s *Store) List(f Filter, offset, limit int) (total int, page []Entry, err error) {
	m, err := s.Matcher(f)
	if err != nil {
		return 0, nil, err
	}
	offset = max(offset, 0)
	if limit < 0 {
		limit = int(^uint(0) >> 1)
	}
	if m.empty() {
		return s.listAll(offset, limit)
	}
	// Copy the entries under the read lock, then match without it so that a
	// long search never holds up ingest.
	s.mu.RLock()
	inbox := s.users[CatchAll].inbox()
	snap := make([]entry, len(inbox.entries))
	copy(snap, inbox.entries)
	s.mu.RUnlock()
	hits := m.matchAll(snap)
	for i := len(snap) - 1; i >= 0; i-- {
		if !hits[i] {
			continue
		}
		if total >= offset && total-offset < limit {
			page = append(page, Entry{UID: snap[i].uid, Msg: snap[i].msg, Flags: snap[i].flags})
		}
		total++
	}
	return total, page, nil
}

// parallelMatchMin is the number of entries from which matchAll splits the
// work across CPUs: a full-text search reads every message's bytes.
const parallelMatchMin = 4096

// matchAll reports, for each entry, whether it matches.
func (m *Matcher) matchAll(snap []entry) []bool {
	hits := make([]bool, len(snap))
	workers := min(runtime.GOMAXPROCS(0), len(snap)/parallelMatchMin+1)
	if workers == 1 {
		for i := range snap {
			hits[i] = m.Match(Entry{UID: snap[i].uid, Msg: snap[i].msg, Flags: snap[i].flags})
		}
		return hits
	}
	chunk := (len(snap) + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < len(snap); lo += chunk {
		hi := min(lo+chunk, len(snap))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				hits[i] = m.Match(Entry{UID: snap[i].uid, Msg: snap[i].msg, Flags: snap[i].flags})
			}
		}()
	}
	wg.Wait()
	return hits
}

func (m *Matcher) empty() bool {
	return len(m.terms) == 0 && m.since.IsZero() && m.sinceSeq == 0
}

func (s *Store) listAll(offset, limit int) (int, []Entry, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	inbox := s.users[CatchAll].inbox()
	total := len(inbox.entries)
	var page []Entry
	for i := total - 1 - offset; i >= 0 && len(page) < limit; i-- {
		page = append(page, inbox.entryLocked(i))
	}
	return total, page, nil
}

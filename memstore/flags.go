package memstore

import "strings"

// Flags is the set of IMAP system flags of one mailbox entry. Keywords
// (user-defined flags) are kept beside it in Entry.Keywords.
type Flags uint8

// The system flags of RFC 3501 2.3.2.
const (
	FlagSeen Flags = 1 << iota
	FlagAnswered
	FlagFlagged
	FlagDeleted
	FlagDraft
	// FlagRecent marks an entry no session has claimed yet (see ClaimRecent).
	// It cannot be set or cleared with SetFlags.
	FlagRecent
)

var flagNames = [...]struct {
	f    Flags
	name string
}{
	{FlagSeen, `\Seen`},
	{FlagAnswered, `\Answered`},
	{FlagFlagged, `\Flagged`},
	{FlagDeleted, `\Deleted`},
	{FlagDraft, `\Draft`},
	{FlagRecent, `\Recent`},
}

// Has reports whether every flag of g is set in f.
func (f Flags) Has(g Flags) bool { return f&g == g }

// Names returns the flags as IMAP names (\Seen ...), in a fixed order.
func (f Flags) Names() []string {
	var out []string
	for _, fn := range flagNames {
		if f&fn.f != 0 {
			out = append(out, fn.name)
		}
	}
	return out
}

// ParseFlag maps an IMAP system flag name (case-insensitive) to its Flags
// bit. ok is false for a keyword.
func ParseFlag(name string) (f Flags, ok bool) {
	for _, fn := range flagNames {
		if strings.EqualFold(fn.name, name) {
			return fn.f, true
		}
	}
	return 0, false
}

// FlagOp says how SetFlags combines the given flags with the current ones.
type FlagOp int

// The STORE operations of RFC 3501 6.4.6.
const (
	FlagsReplace FlagOp = iota // FLAGS
	FlagsAdd                   // +FLAGS
	FlagsRemove                // -FLAGS
)

// applyKeywords combines keywords according to op. Keywords compare
// case-insensitively; the spelling first stored is kept.
func applyKeywords(cur []string, op FlagOp, kw []string) []string {
	switch op {
	case FlagsReplace:
		var out []string
		for _, k := range kw {
			out = addKeyword(out, k)
		}
		return out
	case FlagsAdd:
		for _, k := range kw {
			cur = addKeyword(cur, k)
		}
		return cur
	default:
		out := cur[:0:0]
		for _, c := range cur {
			if !containsFold(kw, c) {
				out = append(out, c)
			}
		}
		return out
	}
}

func addKeyword(list []string, k string) []string {
	if k == "" || containsFold(list, k) {
		return list
	}
	return append(list, k)
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

func equalKeywords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

package imapd

import (
	"strconv"
	"strings"
	"time"

	"intray/memstore"
)

// argReader walks the arguments of a request.
type argReader struct {
	args []arg
	i    int
}

func (r *request) reader() *argReader { return &argReader{args: r.args} }

// onlyMailbox reads the arguments of a command that takes exactly one
// mailbox name (SELECT, EXAMINE, CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE).
func (r *request) onlyMailbox() (string, error) {
	p := r.reader()
	name, err := p.mailbox()
	if err != nil {
		return "", err
	}
	return name, p.end()
}

func (p *argReader) more() bool { return p.i < len(p.args) }

// peek returns the next argument without consuming it, or nil.
func (p *argReader) peek() *arg {
	if p.i < len(p.args) {
		return &p.args[p.i]
	}
	return nil
}

func (p *argReader) next() (*arg, error) {
	if p.i >= len(p.args) {
		return nil, bad("Missing argument")
	}
	p.i++
	return &p.args[p.i-1], nil
}

// end fails if arguments are left.
func (p *argReader) end() error {
	if p.more() {
		return bad("Too many arguments")
	}
	return nil
}

// atom returns the next argument, which must be an atom.
func (p *argReader) atom() (string, error) {
	a, err := p.next()
	if err != nil {
		return "", err
	}
	if a.kind != argAtom {
		return "", bad("Expected an atom")
	}
	return a.s, nil
}

// astring returns the next argument as a string (atom, quoted or literal).
func (p *argReader) astring() (string, error) {
	a, err := p.next()
	if err != nil {
		return "", err
	}
	if a.kind == argList {
		return "", bad("Expected a string")
	}
	return a.str(), nil
}

// list returns the elements of the next argument, which must be a list.
func (p *argReader) list() ([]arg, error) {
	a, err := p.next()
	if err != nil {
		return nil, err
	}
	if a.kind != argList {
		return nil, bad("Expected a list")
	}
	return a.list, nil
}

// number returns the next argument as an unsigned 32-bit number.
func (p *argReader) number() (uint32, error) {
	s, err := p.atom()
	if err != nil {
		return 0, err
	}
	return parseNumber(s)
}

func parseNumber(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || s[0] == '+' {
		return 0, bad("Expected a number")
	}
	return uint32(n), nil
}

// flags parses a flag list "(\Seen $Label)" or, as STORE allows, a bare
// flag or a sequence of flags given by the caller.
func parseFlags(list []arg) (memstore.Flags, []string, error) {
	var f memstore.Flags
	var kws []string
	for i := range list {
		a := &list[i]
		if a.kind != argAtom || a.s == "" {
			return 0, nil, bad("Invalid flag")
		}
		if a.s[0] == '\\' {
			sf, ok := memstore.ParseFlag(a.s)
			if !ok || sf == memstore.FlagRecent {
				return 0, nil, bad("Invalid system flag " + a.s)
			}
			f |= sf
			continue
		}
		if !validKeyword(a.s) {
			return 0, nil, bad("Invalid keyword")
		}
		kws = append(kws, a.s)
	}
	return f, kws, nil
}

// validKeyword reports whether s is an atom without '\', '*', '%', ']'
// (RFC 3501 9 flag-keyword) and of reasonable length.
func validKeyword(s string) bool {
	if len(s) > 100 {
		return false
	}
	return !strings.ContainsAny(s, `\*%]"(){ `)
}

// imapDateTime is the RFC 3501 date-time layout (day space-padded).
const imapDateTime = "_2-Jan-2006 15:04:05 -0700"

// parseDateTime parses an APPEND date-time.
func parseDateTime(s string) (time.Time, error) {
	t, err := time.Parse(imapDateTime, s)
	if err != nil {
		t, err = time.Parse("2-Jan-2006 15:04:05 -0700", s)
	}
	if err != nil {
		return time.Time{}, bad("Invalid date-time")
	}
	return t, nil
}

// parseDate parses a SEARCH date (RFC 3501 date: d-Mon-yyyy, optionally
// quoted by the decoder already).
func parseDate(s string) (time.Time, error) {
	t, err := time.Parse("2-Jan-2006", s)
	if err != nil {
		return time.Time{}, bad("Invalid date")
	}
	return t, nil
}

// mailboxName returns the next argument as a mailbox name; "INBOX" in any
// case means the inbox (RFC 3501 5.1).
func (p *argReader) mailbox() (string, error) {
	name, err := p.astring()
	if err != nil {
		return "", err
	}
	if strings.EqualFold(name, memstore.Inbox) {
		return memstore.Inbox, nil
	}
	return name, nil
}

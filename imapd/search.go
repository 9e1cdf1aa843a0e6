package imapd

import (
	"strings"
	"time"

	"intray/memstore"
)

// searchOp is the kind of a search key (RFC 3501 6.4.4).
type searchOp uint8

const (
	sAll searchOp = iota
	sAnd
	sOr
	sNot
	sSeq        // sequence set
	sUID        // UID set
	sFlag       // flag set
	sNoFlag     // flag not set
	sKeyword    // keyword set
	sUnkeyword  // keyword not set
	sRecent     // \Recent for the session
	sNew        // \Recent and not \Seen
	sOld        // not \Recent
	sBefore     // internal date, date only
	sOn         //
	sSince      //
	sSentBefore // Date header, date only
	sSentOn     //
	sSentSince  //
	sLarger     // RFC822.SIZE
	sSmaller    //
	sHeader     // a header field contains str
	sBody       // the body text contains str
	sText       // header or body contains str
)

// searchKey is one node of a parsed search program.
type searchKey struct {
	op    searchOp
	flag  memstore.Flags
	str   string // lower-cased needle, or a keyword
	field string // sHeader: the field name
	date  time.Time
	n     int64
	set   seqSet
	subs  []*searchKey
}

// maxSearchDepth bounds NOT/OR/list nesting.
const maxSearchDepth = 64

// flagKeys are the search keys that test one system flag.
var flagKeys = map[string]struct {
	op   searchOp
	flag memstore.Flags
}{
	"ANSWERED": {sFlag, memstore.FlagAnswered}, "UNANSWERED": {sNoFlag, memstore.FlagAnswered},
	"DELETED": {sFlag, memstore.FlagDeleted}, "UNDELETED": {sNoFlag, memstore.FlagDeleted},
	"DRAFT": {sFlag, memstore.FlagDraft}, "UNDRAFT": {sNoFlag, memstore.FlagDraft},
	"FLAGGED": {sFlag, memstore.FlagFlagged}, "UNFLAGGED": {sNoFlag, memstore.FlagFlagged},
	"SEEN": {sFlag, memstore.FlagSeen}, "UNSEEN": {sNoFlag, memstore.FlagSeen},
}

// dateKeys and stringKeys take one argument.
var (
	dateKeys = map[string]searchOp{
		"BEFORE": sBefore, "ON": sOn, "SINCE": sSince,
		"SENTBEFORE": sSentBefore, "SENTON": sSentOn, "SENTSINCE": sSentSince,
	}
	headerKeys = map[string]string{"BCC": "Bcc", "CC": "Cc", "FROM": "From", "SUBJECT": "Subject", "TO": "To"}
)

// searchParser turns SEARCH arguments into a searchKey tree.
type searchParser struct {
	p     *argReader
	depth int
}

// parseSearch parses "[CHARSET x] key..." into one AND node.
func parseSearch(p *argReader) (*searchKey, error) {
	if a := p.peek(); a != nil && a.kind == argAtom && strings.EqualFold(a.s, "CHARSET") {
		p.i++
		cs, err := p.astring()
		if err != nil {
			return nil, err
		}
		switch strings.ToUpper(cs) {
		case "UTF-8", "US-ASCII":
		default:
			return nil, no("BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset")
		}
	}
	sp := &searchParser{p: p}
	root := &searchKey{op: sAnd}
	for p.more() {
		k, err := sp.key()
		if err != nil {
			return nil, err
		}
		root.subs = append(root.subs, k)
	}
	if len(root.subs) == 0 {
		return nil, bad("Missing search key")
	}
	return root, nil
}

// key parses one search key.
func (sp *searchParser) key() (*searchKey, error) {
	a, err := sp.p.next()
	if err != nil {
		return nil, err
	}
	if sp.depth++; sp.depth > maxSearchDepth {
		return nil, bad("Search keys nested too deeply")
	}
	defer func() { sp.depth-- }()
	switch a.kind {
	case argList:
		return sp.list(a.list)
	case argAtom:
		return sp.atomKey(a.s)
	}
	return nil, bad("Invalid search key")
}

// list parses a parenthesised list of keys, an AND.
func (sp *searchParser) list(args []arg) (*searchKey, error) {
	sub := &searchParser{p: &argReader{args: args}, depth: sp.depth}
	k := &searchKey{op: sAnd}
	for sub.p.more() {
		c, err := sub.key()
		if err != nil {
			return nil, err
		}
		k.subs = append(k.subs, c)
	}
	if len(k.subs) == 0 {
		return nil, bad("Empty search list")
	}
	return k, nil
}

// atomKey parses a key that starts with an atom.
func (sp *searchParser) atomKey(atom string) (*searchKey, error) {
	name := strings.ToUpper(atom)
	if f, ok := flagKeys[name]; ok {
		return &searchKey{op: f.op, flag: f.flag}, nil
	}
	if op, ok := dateKeys[name]; ok {
		s, err := sp.p.astring()
		if err != nil {
			return nil, err
		}
		d, err := parseDate(s)
		return &searchKey{op: op, date: d}, err
	}
	if field, ok := headerKeys[name]; ok {
		s, err := sp.p.astring()
		return &searchKey{op: sHeader, field: field, str: strings.ToLower(s)}, err
	}
	switch name {
	case "ALL":
		return &searchKey{op: sAll}, nil
	case "NEW":
		return &searchKey{op: sNew}, nil
	case "OLD":
		return &searchKey{op: sOld}, nil
	case "RECENT":
		return &searchKey{op: sRecent}, nil
	case "BODY", "TEXT":
		s, err := sp.p.astring()
		op := sBody
		if name == "TEXT" {
			op = sText
		}
		return &searchKey{op: op, str: strings.ToLower(s)}, err
	}
	return sp.argKey(name, atom)
}

// argKey parses the keys with structured arguments, and sequence sets.
func (sp *searchParser) argKey(name, atom string) (*searchKey, error) {
	switch name {
	case "HEADER":
		field, err := sp.p.astring()
		if err != nil {
			return nil, err
		}
		s, err := sp.p.astring()
		return &searchKey{op: sHeader, field: field, str: strings.ToLower(s)}, err
	case "KEYWORD", "UNKEYWORD":
		kw, err := sp.p.atom()
		op := sKeyword
		if name == "UNKEYWORD" {
			op = sUnkeyword
		}
		return &searchKey{op: op, str: kw}, err
	case "LARGER", "SMALLER":
		n, err := sp.p.number()
		op := sLarger
		if name == "SMALLER" {
			op = sSmaller
		}
		return &searchKey{op: op, n: int64(n)}, err
	case "NOT":
		k, err := sp.key()
		return &searchKey{op: sNot, subs: []*searchKey{k}}, err
	case "OR":
		a, err := sp.key()
		if err != nil {
			return nil, err
		}
		b, err := sp.key()
		return &searchKey{op: sOr, subs: []*searchKey{a, b}}, err
	case "UID":
		s, err := sp.p.atom()
		if err != nil {
			return nil, err
		}
		set, err := parseSeqSet(s)
		return &searchKey{op: sUID, set: set}, err
	}
	set, err := parseSeqSet(atom)
	if err != nil {
		return nil, bad("Unknown search key " + atom)
	}
	return &searchKey{op: sSeq, set: set}, nil
}

// search answers SEARCH and UID SEARCH (RFC 3501 6.4.4, 6.4.8).
func (c *conn) search(req *request) error {
	p := req.reader()
	key, err := parseSearch(p)
	if err != nil {
		return err
	}
	v := c.sel
	m := matcher{v: v}
	b := append(c.out[:0], "* SEARCH"...)
	for i := range v.entries {
		if !m.match(key, i) {
			continue
		}
		b = append(b, ' ')
		if req.uid {
			b = appendUint(b, v.entries[i].UID)
		} else {
			b = appendUint(b, uint32(i+1))
		}
	}
	b = append(b, "\r\n"...)
	_, _ = c.bw.Write(b)
	c.out = b[:0]
	return nil
}

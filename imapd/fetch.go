package imapd

import (
	"strconv"
	"strings"

	"intray/imapd/imapmsg"
	"intray/memstore"
	"intray/memstore/mimepart"
)

// fetchKind names a FETCH data item.
type fetchKind uint8

const (
	fetchFlags fetchKind = iota + 1
	fetchUID
	fetchInternalDate
	fetchSize
	fetchEnvelope
	fetchBody          // BODY: the non-extensible body structure
	fetchBodyStructure // BODYSTRUCTURE
	fetchSection       // BODY[...]<...>, BODY.PEEK[...], RFC822, RFC822.HEADER, RFC822.TEXT
)

// fetchItem is one parsed FETCH data item.
type fetchItem struct {
	kind fetchKind
	sec  imapmsg.Section
	peek bool   // does not set \Seen
	name string // response name of the RFC822 forms; "" for BODY[...]
}

// fetchPlan is a parsed FETCH request.
type fetchPlan struct {
	items   []fetchItem
	setSeen bool // a non-PEEK body item: \Seen is set (RFC 3501 6.4.5)
	flags   bool // FLAGS was asked for
}

// macros are the FETCH macros of RFC 3501 6.4.5.
var macros = map[string][]string{
	"ALL":  {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"},
	"FAST": {"FLAGS", "INTERNALDATE", "RFC822.SIZE"},
	"FULL": {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"},
}

// parseFetch parses the data items of a FETCH: one item, a macro, or a
// parenthesised list. UID FETCH always returns the UID (RFC 3501 6.4.8).
func parseFetch(a *arg, uid bool) (*fetchPlan, error) {
	var atoms []string
	switch a.kind {
	case argAtom:
		if m, ok := macros[strings.ToUpper(a.s)]; ok {
			atoms = m
		} else {
			atoms = []string{a.s}
		}
	case argList:
		for i := range a.list {
			if a.list[i].kind != argAtom {
				return nil, bad("Invalid fetch item")
			}
			atoms = append(atoms, a.list[i].s)
		}
	default:
		return nil, bad("Invalid fetch item")
	}
	plan := &fetchPlan{}
	if uid {
		plan.items = append(plan.items, fetchItem{kind: fetchUID})
	}
	for _, s := range atoms {
		it, err := parseFetchItem(s)
		if err != nil {
			return nil, err
		}
		if it.kind == fetchUID && uid {
			continue
		}
		plan.flags = plan.flags || it.kind == fetchFlags
		plan.setSeen = plan.setSeen || (it.kind == fetchSection && !it.peek)
		plan.items = append(plan.items, it)
	}
	if len(plan.items) == 0 {
		return nil, bad("No fetch items")
	}
	return plan, nil
}

// parseFetchItem parses one data item.
func parseFetchItem(s string) (fetchItem, error) {
	up := strings.ToUpper(s)
	switch up {
	case "FLAGS":
		return fetchItem{kind: fetchFlags}, nil
	case "UID":
		return fetchItem{kind: fetchUID}, nil
	case "INTERNALDATE":
		return fetchItem{kind: fetchInternalDate}, nil
	case "RFC822.SIZE":
		return fetchItem{kind: fetchSize}, nil
	case "ENVELOPE":
		return fetchItem{kind: fetchEnvelope}, nil
	case "BODY":
		return fetchItem{kind: fetchBody}, nil
	case "BODYSTRUCTURE":
		return fetchItem{kind: fetchBodyStructure}, nil
	case "RFC822":
		return fetchItem{kind: fetchSection, name: "RFC822"}, nil
	case "RFC822.HEADER":
		return fetchItem{kind: fetchSection, name: "RFC822.HEADER", peek: true,
			sec: imapmsg.Section{Specifier: imapmsg.SpecHeader}}, nil
	case "RFC822.TEXT":
		return fetchItem{kind: fetchSection, name: "RFC822.TEXT", sec: imapmsg.Section{Specifier: imapmsg.SpecText}}, nil
	}
	return parseBodySection(s, up)
}

// parseBodySection parses BODY[section]<partial> and BODY.PEEK[...].
func parseBodySection(s, up string) (fetchItem, error) {
	it := fetchItem{kind: fetchSection}
	switch {
	case strings.HasPrefix(up, "BODY.PEEK["):
		it.peek = true
		s = s[len("BODY.PEEK["):]
	case strings.HasPrefix(up, "BODY["):
		s = s[len("BODY["):]
	default:
		return it, bad("Unknown fetch item " + strconv.Quote(s))
	}
	end := strings.LastIndexByte(s, ']')
	if end < 0 {
		return it, bad("Missing ']' in fetch item")
	}
	sec, err := imapmsg.ParseSection(s[:end])
	if err != nil {
		return it, bad("Invalid section")
	}
	if rest := s[end+1:]; rest != "" {
		off, n, err := imapmsg.ParsePartial(rest)
		if err != nil {
			return it, bad("Invalid partial")
		}
		sec.Partial, sec.Offset, sec.Count = true, off, n
	}
	it.sec = sec
	return it, nil
}

// fetch answers FETCH and UID FETCH (RFC 3501 6.4.5).
func (c *conn) fetch(req *request) error {
	p := req.reader()
	setArg, err := p.atom()
	if err != nil {
		return err
	}
	set, err := parseSeqSet(setArg)
	if err != nil {
		return err
	}
	a, err := p.next()
	if err != nil {
		return err
	}
	plan, err := parseFetch(a, req.uid)
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	spans, err := c.sel.spans(set, req.uid)
	if err != nil {
		return err
	}
	seen := c.markSeen(plan, spans)
	for _, sp := range spans {
		for i := sp.from; i <= sp.to; i++ {
			c.writeFetch(i, plan, seen[c.sel.entries[i].UID])
		}
	}
	return nil
}

// markSeen sets \Seen on the messages a non-PEEK body fetch reads and
// returns the UIDs whose flags changed, whose FETCH must carry FLAGS.
func (c *conn) markSeen(plan *fetchPlan, spans []span) map[uint32]bool {
	v := c.sel
	if !plan.setSeen || v.readOnly || v.gone {
		return nil
	}
	var uids []uint32
	for _, sp := range spans {
		for i := sp.from; i <= sp.to; i++ {
			if v.entries[i].Flags&memstore.FlagSeen == 0 && !v.expunged[v.entries[i].UID] {
				uids = append(uids, v.entries[i].UID)
			}
		}
	}
	if len(uids) == 0 {
		return nil
	}
	entries, err := c.srv.Store.SetFlags(c.login, v.ref(), uids, memstore.FlagsAdd, memstore.FlagSeen, nil)
	if err != nil {
		c.log.Warn("fetch: set \\Seen", "err", err)
		return nil
	}
	changed := make(map[uint32]bool, len(entries))
	for i := range entries {
		v.setFlags(&entries[i], false)
		changed[entries[i].UID] = true
	}
	return changed
}

// writeFetch writes the FETCH response of entry i.
func (c *conn) writeFetch(i int, plan *fetchPlan, flagsChanged bool) {
	e := &c.sel.entries[i]
	b := append(c.out[:0], "* "...)
	b = strconv.AppendInt(b, int64(i+1), 10)
	b = append(b, " FETCH ("...)
	m := fetchMsg{Message: e.Msg}
	for k := range plan.items {
		if k > 0 {
			b = append(b, ' ')
		}
		b = c.appendItem(b, &plan.items[k], e, &m)
	}
	if flagsChanged && !plan.flags {
		b = append(b, " FLAGS "...)
		b = appendFlags(b, e, c.sel.isRecent(e))
	}
	b = append(b, ")\r\n"...)
	_, _ = c.bw.Write(b)
	c.out = b[:0]
}

// fetchMsg is the message of one FETCH response, with its MIME tree looked
// up at most once.
type fetchMsg struct {
	*memstore.Message
	tree *mimepart.Part
}

// Tree returns the message's MIME tree.
func (m *fetchMsg) Tree() *mimepart.Part {
	if m.tree == nil {
		m.tree = m.Message.Tree()
	}
	return m.tree
}

// appendItem appends one data item of e's FETCH response. Section data is
// written straight to the connection, not copied into b.
func (c *conn) appendItem(b []byte, it *fetchItem, e *memstore.Entry, m *fetchMsg) []byte {
	switch it.kind {
	case fetchFlags:
		b = append(b, "FLAGS "...)
		return appendFlags(b, e, c.sel.isRecent(e))
	case fetchUID:
		b = append(b, "UID "...)
		return appendUint(b, e.UID)
	case fetchInternalDate:
		b = append(b, `INTERNALDATE "`...)
		b = m.ReceivedAt.AppendFormat(b, imapDateTime)
		return append(b, '"')
	case fetchSize:
		b = append(b, "RFC822.SIZE "...)
		return strconv.AppendInt(b, int64(len(m.Raw)), 10)
	case fetchEnvelope:
		b = append(b, "ENVELOPE "...)
		return imapmsg.AppendEnvelope(b, m.Raw, m.Tree())
	case fetchBody:
		b = append(b, "BODY "...)
		return imapmsg.AppendBodyStructure(b, m.Raw, m.Tree(), false)
	case fetchBodyStructure:
		b = append(b, "BODYSTRUCTURE "...)
		return imapmsg.AppendBodyStructure(b, m.Raw, m.Tree(), true)
	}
	if it.name != "" {
		b = append(b, it.name...)
	} else {
		b = it.sec.AppendName(b)
	}
	data := sectionData(&it.sec, m)
	b = append(b, " {"...)
	b = strconv.AppendInt(b, int64(len(data)), 10)
	b = append(b, "}\r\n"...)
	if len(data) < 4096 {
		return append(b, data...)
	}
	_, _ = c.bw.Write(b)
	_, _ = c.bw.Write(data)
	return b[:0]
}

// sectionData extracts a section; the whole message needs no MIME tree.
func sectionData(sec *imapmsg.Section, m *fetchMsg) []byte {
	if len(sec.Part) > 0 || sec.Specifier != "" {
		return sec.Extract(m.Raw, m.Tree())
	}
	raw := m.Raw
	if !sec.Partial {
		return raw
	}
	if uint64(sec.Offset) >= uint64(len(raw)) {
		return nil
	}
	return raw[sec.Offset:min(uint64(sec.Offset)+uint64(sec.Count), uint64(len(raw)))]
}

// flagNames are the system flags in the order FETCH FLAGS lists them.
var flagNames = [...]struct {
	f    memstore.Flags
	name string
}{
	{memstore.FlagSeen, `\Seen`},
	{memstore.FlagAnswered, `\Answered`},
	{memstore.FlagFlagged, `\Flagged`},
	{memstore.FlagDeleted, `\Deleted`},
	{memstore.FlagDraft, `\Draft`},
}

// appendFlags appends e's flag list; \Recent is the session's, not the
// store's.
func appendFlags(b []byte, e *memstore.Entry, recent bool) []byte {
	b = append(b, '(')
	first := true
	sep := func() {
		if !first {
			b = append(b, ' ')
		}
		first = false
	}
	for _, fn := range flagNames {
		if e.Flags&fn.f != 0 {
			sep()
			b = append(b, fn.name...)
		}
	}
	if recent {
		sep()
		b = append(b, `\Recent`...)
	}
	for _, k := range e.Keywords {
		sep()
		b = append(b, k...)
	}
	return append(b, ')')
}

func appendUint(b []byte, u uint32) []byte { return strconv.AppendUint(b, uint64(u), 10) }

package mimepart

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
)

// Part is one node of a message's MIME tree. Offsets index into the raw
// message passed to Parse; a Part does not keep a reference to it.
//
// Section numbers follow RFC 3501 6.4.5. The root message has ID "". The
// children of a multipart are numbered "1", "2", ... below their parent
// ("1.2" is the second child of part 1). A non-multipart message has no
// children: its body is section "1" and Find("1") returns the root itself.
// The message encapsulated by a message/rfc822 part is its Embedded root,
// which carries the section number of the body it was parsed from. That is
// the part's own ID for a body part: the message inside part "2" has ID "2"
// and its parts are "2.1", "2.2", .... When the message/rfc822 part is
// itself a message (a root whose Content-Type is message/rfc822, or such an
// encapsulated message) its body is the section below it: ID "1" for the
// root, "2.1" inside the message of part 2. Find never returns an Embedded
// root for its own ID but the part enclosing it, whose body is the whole
// encapsulated message.
type Part struct {
	// ID is the IMAP section path, "" for the root.
	ID string
	// Header holds this part's header fields in order.
	Header Header
	// HeaderStart and HeaderEnd delimit the header bytes; HeaderEnd
	// includes the empty line that ends the header, when there is one.
	HeaderStart, HeaderEnd int
	// BodyStart and BodyEnd delimit the body bytes. For a child of a
	// multipart the body ends before the CRLF that precedes the next
	// delimiter line (RFC 2046 5.1.1). BodyStart == HeaderEnd.
	BodyStart, BodyEnd int
	// MediaType is the lowercase "type/subtype". Without a Content-Type it
	// is text/plain, or message/rfc822 in a multipart/digest (RFC 2046
	// 5.1.5); an invalid one, or a multipart without a usable boundary, is
	// text/plain (RFC 2045 5.2). A multipart or message nested deeper than
	// MaxDepth becomes application/octet-stream.
	MediaType string
	// Params are the Content-Type parameters with lowercase keys, RFC 2231
	// decoded; nil when there are none.
	Params map[string]string
	// Charset is the lowercase charset parameter; "us-ascii" for a text/*
	// part that declares none (RFC 2045 5.2), "" for other types.
	Charset string
	// Encoding is the lowercase Content-Transfer-Encoding, "7bit" by
	// default.
	Encoding string
	// Disposition is the lowercase Content-Disposition type ("inline",
	// "attachment", or whatever token the message used), "" if absent.
	Disposition string
	// DispositionParams are the Content-Disposition parameters like Params.
	DispositionParams map[string]string
	// Filename comes from the disposition's filename or else the
	// Content-Type's name, RFC 2231 and RFC 2047 decoded. It is not
	// sanitised: it may contain path separators.
	Filename string
	// ContentID is the Content-ID without angle brackets.
	ContentID string
	// Description is the decoded Content-Description; Language, Location
	// and MD5 are the raw Content-Language, Content-Location and
	// Content-MD5 values.
	Description, Language, Location, MD5 string
	// Lines is the number of lines in the body of a non-multipart part:
	// the number of LFs, plus one if the body does not end with one.
	Lines int
	// Parts are the children of a multipart, in order.
	Parts []*Part
	// Embedded is the root of the message encapsulated by a message/rfc822
	// (or message/global) part whose transfer encoding is 7bit, 8bit or
	// binary; nil otherwise, and nil once MaxParts is reached, so IMAP must
	// be ready to describe such a part as a basic body. Its Header is the
	// inner message's header.
	Embedded *Part
}

// Size returns the length of the body in bytes, the RFC 3501 body size.
func (p *Part) Size() int { return p.BodyEnd - p.BodyStart }

// IsMultipart reports whether p has a multipart media type and was split
// into children.
func (p *Part) IsMultipart() bool { return strings.HasPrefix(p.MediaType, "multipart/") }

// IsAttachment reports whether p is an attachment: it has disposition
// attachment, or it is a non-text, non-multipart part with a filename.
func (p *Part) IsAttachment() bool {
	if p.Disposition == "attachment" {
		return true
	}
	return p.Filename != "" && !p.IsMultipart() && !strings.HasPrefix(p.MediaType, "text/")
}

// Parse parses the MIME structure of raw, a whole RFC 5322 message. It never
// fails and never panics: malformed structure degrades as described in the
// package documentation, and what it builds is bounded by MaxDepth,
// MaxParts and MaxHeaderFields. The returned tree does not reference raw,
// but its offsets are only meaningful for it.
func Parse(raw []byte) *Part {
	return parse(raw, false)
}

// parse is Parse; with summary set it builds a tree for ParseSummary
// alone, whose header strings point into raw and hold only the fields a
// Summary reads (see buildHeader).
func parse(raw []byte, summary bool) *Part {
	ps := parsers.Get().(*parser)
	ps.raw, ps.nparts, ps.summary = raw, 0, summary
	p := ps.part(0, len(raw), "", 0, "text/plain", true)
	ps.raw = nil
	if cap(ps.spans) <= maxPooledSpans {
		parsers.Put(ps)
	}
	return p
}

// maxPooledSpans keeps a parser that met a huge header out of the pool.
const maxPooledSpans = 256

// parsers recycles the parsers' scratch buffers: at ingest rates, their
// allocation would be most of the garbage a parse makes.
var parsers = sync.Pool{New: func() any {
	// Sized so that typical messages need no growth.
	return &parser{spans: make([]fieldSpan, 0, 32), params: make([]param, 0, 4)}
}}

// parser holds the state of one Parse: the input, the part count and
// scratch buffers reused from part to part.
type parser struct {
	raw     []byte
	summary bool // a tree for ParseSummary alone (see parse)
	nparts  int
	spans   []fieldSpan
	params  []param
}

// part parses the entity at raw[start:end] with the given section ID,
// nesting depth and default media type. isMsg tells a message (the root or
// an encapsulated message) from a body part: a non-multipart message's body
// is the section below its own ID (RFC 3501 6.4.5).
func (ps *parser) part(start, end int, id string, depth int, defType string, isMsg bool) *Part {
	ps.nparts++
	p := &Part{ID: id, HeaderStart: start, BodyEnd: end}
	var hend int
	ps.spans, hend = scanHeader(ps.raw, start, end, ps.spans[:0])
	p.HeaderEnd, p.BodyStart = hend, hend
	p.Header = buildHeader(ps.raw, start, hend, ps.spans, ps.summary)
	ps.describe(p, defType)
	switch {
	case p.IsMultipart():
		if depth >= MaxDepth {
			p.MediaType = "application/octet-stream"
			break
		}
		ps.split(p, depth)
	case isMessage(p.MediaType) && identityEncoding(p.Encoding):
		if depth >= MaxDepth {
			p.MediaType = "application/octet-stream"
			break
		}
		if ps.nparts < MaxParts {
			eid := id
			if isMsg {
				eid = childID(id, 1)
			}
			p.Embedded = ps.part(p.BodyStart, p.BodyEnd, eid, depth+1, "text/plain", true)
		}
	}
	if !p.IsMultipart() {
		p.Lines = countLines(ps.raw[p.BodyStart:p.BodyEnd])
	}
	return p
}

// describe fills the MIME fields of p from its header in one pass over
// the fields (the first of each Content-* field counts).
func (ps *parser) describe(p *Part, defType string) {
	var ct, cte, cd, cid string
	var seen uint16
	for i := range p.Header {
		f := &p.Header[i]
		k := contentField(f.Name)
		if k == 0 || seen&(1<<k) != 0 {
			continue // not a Content-* field we use, or not the first one
		}
		seen |= 1 << k
		switch k {
		case cfType:
			ct = f.Raw
		case cfEncoding:
			cte = f.Raw
		case cfDisposition:
			cd = f.Raw
		case cfID:
			cid = f.Raw
		case cfDescription:
			p.Description = f.Value
		case cfLanguage:
			p.Language = f.Raw
		case cfLocation:
			p.Location = f.Raw
		case cfMD5:
			p.MD5 = f.Raw
		}
	}
	var mt string
	mt, ps.params = parseParams(ct, ps.params[:0])
	switch {
	case ct == "" || mt == "":
		mt = defType
	case !validMediaType(mt):
		mt = "text/plain"
	}
	p.MediaType = mt
	// A tree for ParseSummary needs parameters only for a multipart's
	// boundary (split); charset and filename are read below.
	if !ps.summary || p.IsMultipart() {
		p.Params = paramMap(ps.params)
	}
	name := getParam(ps.params, "name")
	p.Charset = strings.ToLower(trimWSP(getParam(ps.params, "charset")))
	if p.Charset == "" && strings.HasPrefix(mt, "text/") {
		p.Charset = "us-ascii"
	}
	p.Encoding = "7bit"
	if i := strings.IndexAny(cte, " \t;("); i >= 0 {
		cte = cte[:i]
	}
	if cte != "" {
		p.Encoding = strings.ToLower(cte)
	}
	if cd != "" {
		p.Disposition, ps.params = parseParams(cd, ps.params[:0])
		if !ps.summary {
			p.DispositionParams = paramMap(ps.params)
		}
		if fn := getParam(ps.params, "filename"); fn != "" {
			name = fn
		}
	}
	p.Filename = decodeHeader(name)
	p.ContentID = strings.TrimSuffix(strings.TrimPrefix(cid, "<"), ">")
}

// Content-* fields describe reads, numbered for contentField.
const (
	cfNone = iota
	cfType
	cfEncoding
	cfDisposition
	cfID
	cfDescription
	cfLanguage
	cfLocation
	cfMD5
)

// contentField classifies a field name, case-insensitively.
func contentField(name string) int {
	if len(name) < 10 || !strings.EqualFold(name[:8], "content-") {
		return cfNone
	}
	switch n := name[8:]; {
	case strings.EqualFold(n, "type"):
		return cfType
	case strings.EqualFold(n, "transfer-encoding"):
		return cfEncoding
	case strings.EqualFold(n, "disposition"):
		return cfDisposition
	case strings.EqualFold(n, "id"):
		return cfID
	case strings.EqualFold(n, "description"):
		return cfDescription
	case strings.EqualFold(n, "language"):
		return cfLanguage
	case strings.EqualFold(n, "location"):
		return cfLocation
	case strings.EqualFold(n, "md5"):
		return cfMD5
	}
	return cfNone
}

// split finds the body parts of the multipart p (RFC 2046 5.1.1). The
// preamble and epilogue are ignored; a missing close delimiter ends the
// last part at the end of p's body. Without a usable boundary, or when no
// body part is found, p becomes a text/plain leaf.
func (ps *parser) split(p *Part, depth int) {
	b := p.Params["boundary"]
	if b == "" || len(b) > maxBoundary {
		degradeToText(p)
		return
	}
	delim := make([]byte, 0, 2+len(b))
	delim = append(append(delim, "--"...), b...)
	childType := "text/plain"
	if p.MediaType == "multipart/digest" {
		childType = "message/rfc822"
	}
	raw, end := ps.raw, p.BodyEnd
	d, ok := nextDelimiter(raw, p.BodyStart, end, p.BodyStart, delim)
	for ok && !d.close && ps.nparts < MaxParts {
		start := d.next
		var partEnd int
		d, ok = nextDelimiter(raw, start, end, p.BodyStart, delim)
		if ok {
			partEnd = d.line - 1 // the LF before the delimiter line
			if partEnd > start && raw[partEnd-1] == '\r' {
				partEnd--
			}
			partEnd = max(partEnd, start)
		} else {
			partEnd = end
		}
		p.Parts = append(p.Parts, ps.part(start, partEnd, childID(p.ID, len(p.Parts)+1), depth+1, childType, false))
	}
	if len(p.Parts) == 0 {
		degradeToText(p)
	}
}

// delimiter is a delimiter line found in a multipart body.
type delimiter struct {
	line  int  // offset of the line's first '-'
	next  int  // offset just past the line's LF (or the end)
	close bool // a close delimiter ("--boundary--")
}

// nextDelimiter finds the first delimiter line for delim ("--" boundary) in
// raw[from:end]. A delimiter starts a line (or the body at bodyStart) and is
// followed by "--" or by nothing but whitespace up to the end of its line.
func nextDelimiter(raw []byte, from, end, bodyStart int, delim []byte) (delimiter, bool) {
	for from < end {
		i := bytes.Index(raw[from:end], delim)
		if i < 0 {
			break
		}
		at := from + i
		from = at + 1
		if at != bodyStart && raw[at-1] != '\n' {
			continue
		}
		rest := at + len(delim)
		close := rest+1 < end && raw[rest] == '-' && raw[rest+1] == '-'
		eol := end
		if nl := bytes.IndexByte(raw[rest:end], '\n'); nl >= 0 {
			eol = rest + nl
		}
		if !close && !onlySpace(raw[rest:eol]) {
			continue
		}
		next := eol
		if eol < end {
			next = eol + 1
		}
		return delimiter{line: at, next: next, close: close}, true
	}
	return delimiter{}, false
}

func onlySpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// degradeToText turns a multipart that cannot be split into a text/plain
// leaf, as RFC 2045 5.2 suggests for an unusable Content-Type.
func degradeToText(p *Part) {
	p.MediaType = "text/plain"
	p.Parts = nil
	if p.Charset == "" {
		p.Charset = "us-ascii"
	}
}

// childID returns the section number of the n-th child of the part parent.
func childID(parent string, n int) string {
	if parent == "" {
		return strconv.Itoa(n)
	}
	return parent + "." + strconv.Itoa(n)
}

func isMessage(mt string) bool { return mt == "message/rfc822" || mt == "message/global" }

// identityEncoding reports whether enc leaves the body as it is, so that an
// encapsulated message can be parsed in place.
func identityEncoding(enc string) bool {
	return enc == "7bit" || enc == "8bit" || enc == "binary"
}

// validMediaType reports whether mt is "type/subtype" with token
// characters on both sides.
func validMediaType(mt string) bool {
	slash := strings.IndexByte(mt, '/')
	if slash <= 0 || slash == len(mt)-1 {
		return false
	}
	for i := 0; i < len(mt); i++ {
		c := mt[i]
		if i == slash {
			continue
		}
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// countLines counts LFs, plus one for a final line without one.
func countLines(b []byte) int {
	n := bytes.Count(b, []byte{'\n'})
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

// Find returns the part with IMAP section path id ("" for the root, "2.1"
// for the first part of the message encapsulated as part 2, ...), or nil.
// It follows RFC 3501 6.4.5: section 1 of a non-multipart message is its
// body, that is the message part itself. Find must be called on a root
// returned by Parse. For BODY[n.HEADER] and BODY[n.TEXT] of a
// message/rfc822 part n, use the offsets of Find(n).Embedded.
func (p *Part) Find(id string) *Part {
	if p == nil {
		return nil
	}
	if strings.HasSuffix(id, ".") {
		return nil
	}
	cur, atMessage := p, true
	for id != "" {
		var seg string
		seg, id, _ = strings.Cut(id, ".")
		n, err := strconv.Atoi(seg)
		if err != nil || n < 1 || (len(seg) > 1 && seg[0] == '0') {
			return nil
		}
		for {
			switch {
			case cur.IsMultipart():
				if n > len(cur.Parts) {
					return nil
				}
				cur = cur.Parts[n-1]
			case atMessage:
				if n != 1 {
					return nil
				}
			case cur.Embedded != nil:
				cur, atMessage = cur.Embedded, true
				continue
			default:
				return nil
			}
			break
		}
		atMessage = false
	}
	return cur
}

// Walk calls fn for p and then, depth first and in order, for every part
// below it, including Embedded messages. If fn returns false, the parts
// below that part are skipped.
func (p *Part) Walk(fn func(*Part) bool) {
	if p == nil || !fn(p) {
		return
	}
	for _, c := range p.Parts {
		c.Walk(fn)
	}
	p.Embedded.Walk(fn)
}

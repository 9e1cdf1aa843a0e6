package mimepart

import "errors"

// Body is the content the web view shows: the best text/plain and
// text/html alternatives of a message, decoded to UTF-8, with the parts
// they came from (nil when there is none).
type Body struct {
	Text, HTML         string
	TextPart, HTMLPart *Part
}

// Bodies picks, depth first, the first text/plain and the first text/html
// part that is not an attachment, without descending into encapsulated
// messages (a forwarded message is an attachment, not the body), and
// decodes them. Text in an unknown charset is returned undecoded rather
// than dropped. Other parts of a multipart/mixed are not concatenated.
func (p *Part) Bodies(raw []byte) Body {
	var b Body
	b.TextPart, b.HTMLPart = p.bodyParts()
	b.Text = partText(b.TextPart, raw)
	b.HTML = partText(b.HTMLPart, raw)
	return b
}

// bodyParts finds the parts Bodies decodes.
func (p *Part) bodyParts() (text, htm *Part) {
	p.Walk(func(q *Part) bool {
		if q.Embedded != nil || (q != p && isMessage(q.MediaType)) {
			return false
		}
		if q.IsMultipart() || q.Disposition == "attachment" {
			return true
		}
		switch q.MediaType {
		case "text/plain":
			if text == nil {
				text = q
			}
		case "text/html":
			if htm == nil {
				htm = q
			}
		}
		return true
	})
	return text, htm
}

// partText decodes q's text, keeping the best effort for unknown charsets.
func partText(q *Part, raw []byte) string {
	if q == nil {
		return ""
	}
	s, err := q.Text(raw)
	if err != nil && !errors.Is(err, ErrUnknownCharset) {
		return ""
	}
	return s
}

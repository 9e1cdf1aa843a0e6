package webui

import (
	"bytes"
	"mime"
	"net/http"
	"path"
	"strings"

	"intray/memstore"
	"intray/memstore/mimepart"
)

// headerJSON is one header field, its value RFC 2047 decoded.
type headerJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// partJSON is one node of the MIME tree. ID is the IMAP section path
// ("1", "1.2"); it names the part in /api/v1/messages/{id}/parts/{part}.
// Size is the encoded body size in bytes. The parts of a message/rfc822
// part are those of the message it encapsulates.
type partJSON struct {
	ID          string     `json:"id"`
	ContentType string     `json:"contentType"`
	Charset     string     `json:"charset"`
	Filename    string     `json:"filename"`
	Disposition string     `json:"disposition"`
	ContentID   string     `json:"contentId"`
	Size        int        `json:"size"`
	Parts       []partJSON `json:"parts"`
}

// envelopeJSON is the full envelope of a message.
type envelopeJSON struct {
	MailFrom   string   `json:"mailFrom"`
	RcptTo     []string `json:"rcptTo"`
	Helo       string   `json:"helo"`
	RemoteAddr string   `json:"remoteAddr"`
	AuthUser   string   `json:"authUser"`
	TLS        bool     `json:"tls"`
}

// messageJSON is the full message: the summary plus everything the message
// view needs. Bcc lists the envelope recipients missing from To and Cc.
// Transcript is the SMTP dialogue, one "C: ..." or "S: ..." line per
// element (empty for injected messages). RemoteContent counts the remote
// resources (images, stylesheets, fonts, CSS url()s) the HTML refers to,
// which /html blocks unless ?remote=1 is given.
type messageJSON struct {
	summaryJSON
	Envelope      envelopeJSON  `json:"envelope"`
	Bcc           []addressJSON `json:"bcc"`
	Headers       []headerJSON  `json:"headers"`
	Text          string        `json:"text"`
	HTML          string        `json:"html"`
	Parts         []partJSON    `json:"parts"`
	Links         []string      `json:"links"`
	Transcript    []string      `json:"transcript"`
	RemoteContent int           `json:"remoteContent"`
}

// fullMessage converts a catch-all entry into the full shape.
func fullMessage(e memstore.Entry) messageJSON {
	m := e.Msg
	tree := m.Tree()
	b := tree.Bodies(m.Raw)
	env := m.Envelope
	out := messageJSON{
		summaryJSON: summary(e),
		Envelope: envelopeJSON{MailFrom: env.MailFrom, RcptTo: nonNil(env.RcptTo), Helo: env.Helo,
			RemoteAddr: env.RemoteAddr, AuthUser: env.AuthUser, TLS: env.TLS},
		Bcc:           bcc(m),
		Headers:       make([]headerJSON, len(tree.Header)),
		Text:          b.Text,
		HTML:          b.HTML,
		Parts:         partsOf(tree),
		Links:         nonNil(mimepart.Links(b.Text, b.HTML)),
		Transcript:    transcriptLines(env.Transcript),
		RemoteContent: countRemote(b.HTML),
	}
	for i, f := range tree.Header {
		out.Headers[i] = headerJSON{Name: f.Name, Value: f.Value}
	}
	return out
}

// partsOf returns the children of a message root (or of the message a
// message/rfc822 part encapsulates): the parts of a multipart, or the one
// body part "1" (numbered below the enclosing part) of a single-part message.
func partsOf(root *mimepart.Part) []partJSON {
	if root.IsMultipart() {
		out := make([]partJSON, len(root.Parts))
		for i, c := range root.Parts {
			out[i] = partNode(c, c.ID)
		}
		return out
	}
	id := "1"
	if root.ID != "" {
		id = root.ID + ".1"
	}
	return []partJSON{partNode(root, id)}
}

// partNode converts one part; id is its section path.
func partNode(p *mimepart.Part, id string) partJSON {
	n := partJSON{
		ID: id, ContentType: p.MediaType, Charset: p.Charset, Filename: p.Filename,
		Disposition: p.Disposition, ContentID: p.ContentID, Size: p.Size(), Parts: []partJSON{},
	}
	switch {
	case p.IsMultipart():
		for _, c := range p.Parts {
			n.Parts = append(n.Parts, partNode(c, c.ID))
		}
	case p.Embedded != nil:
		n.Parts = partsOf(p.Embedded)
	}
	return n
}

// message serves GET /api/v1/messages/{id}: the full message. It does not
// mark the message read.
func (h *Handler) message(w http.ResponseWriter, r *http.Request) {
	e, ok := h.entry(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, fullMessage(e))
}

// raw serves GET /api/v1/messages/{id}/raw: the exact stored bytes.
func (h *Handler) raw(w http.ResponseWriter, r *http.Request) {
	e, ok := h.entry(w, r)
	if !ok {
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "message/rfc822")
	hd.Set("Content-Disposition", contentDisposition("inline", e.Msg.ID+".eml"))
	setSandboxHeaders(w, r)
	http.ServeContent(w, r, "", e.Msg.ReceivedAt, bytes.NewReader(e.Msg.Raw))
}

// part serves GET /api/v1/messages/{id}/parts/{part}: one MIME part with
// its transfer encoding undone, its own Content-Type, a sanitised filename,
// and the sandbox CSP (a text/html or SVG part opened directly must not run
// script on this origin). Disposition is inline for images and text,
// attachment otherwise or with ?download=1.
func (h *Handler) part(w http.ResponseWriter, r *http.Request) {
	e, ok := h.entry(w, r)
	if !ok {
		return
	}
	id := r.PathValue("part")
	p := e.Msg.Tree().Find(id)
	if p == nil || id == "" {
		writeError(w, http.StatusNotFound, "message %s has no part %q", e.Msg.ID, id)
		return
	}
	body, err := p.Decoded(e.Msg.Raw)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "part %q: %v", id, err)
		return
	}
	ct := p.MediaType
	if p.Charset != "" {
		ct = mime.FormatMediaType(ct, map[string]string{"charset": p.Charset})
	}
	disp := "attachment"
	if r.URL.Query().Get("download") == "" &&
		(strings.HasPrefix(p.MediaType, "image/") || strings.HasPrefix(p.MediaType, "text/")) {
		disp = "inline"
	}
	hd := w.Header()
	hd.Set("Content-Type", ct)
	hd.Set("Content-Disposition", contentDisposition(disp, partFilename(p, e.Msg.ID, id)))
	setSandboxHeaders(w, r)
	http.ServeContent(w, r, "", e.Msg.ReceivedAt, bytes.NewReader(body))
}

// entry looks up the {id} of the request's path, writing a 404 when it is
// not found.
func (h *Handler) entry(w http.ResponseWriter, r *http.Request) (memstore.Entry, bool) {
	id := r.PathValue("id")
	e, err := h.store.Get(id)
	if err != nil {
		h.storeError(w, err)
		return memstore.Entry{}, false
	}
	return e, true
}

// partFilename returns the part's file name without any directory, quotes
// or control characters, or else one made of the message and part IDs.
func partFilename(p *mimepart.Part, msgID, partID string) string {
	name := path.Base(strings.ReplaceAll(p.Filename, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if name == "" || name == "/" {
		name = msgID + "-part" + partID
		if exts, _ := mime.ExtensionsByType(p.MediaType); len(exts) > 0 {
			name += exts[0]
		}
	}
	return name
}

// contentDisposition formats a Content-Disposition, RFC 2231-encoding a
// non-ASCII filename.
func contentDisposition(disp, filename string) string {
	if v := mime.FormatMediaType(disp, map[string]string{"filename": filename}); v != "" {
		return v
	}
	return disp
}

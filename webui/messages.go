package webui

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"intray/memstore"
	"intray/memstore/mimepart"
)

// maxJSONBody bounds small JSON request bodies (PUT .../read).
const maxJSONBody = 4 << 10

// bodyReadTimeout bounds reading a request body; a server ReadTimeout
// cannot be used (see NewServer).
const bodyReadTimeout = time.Minute

// list serves GET /api/v1/messages: {total, messages}, newest first.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	p, err := parseListParams(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	total, page, err := h.store.List(p.filter, p.offset, p.limit)
	if err != nil {
		h.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, listJSON{Total: total, Messages: summaries(page)})
}

// inject serves POST /api/v1/messages: the body is a raw message, the
// envelope comes from the mailFrom and rcptTo (repeatable, or comma
// separated) query parameters; without rcptTo the recipients are taken
// from the To, Cc and Bcc headers, without mailFrom the sender from From.
// It answers 201 with the summary and a Location header.
func (h *Handler) inject(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(bodyReadTimeout))
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxMessageSize))
	rc.SetReadDeadline(time.Time{})
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "message larger than %d bytes", h.cfg.MaxMessageSize)
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "reading the message: %v", err)
		return
	case len(strings.TrimSpace(string(raw))) == 0:
		writeError(w, http.StatusBadRequest, "empty message: send the raw RFC 5322 message as the request body")
		return
	}
	q := r.URL.Query()
	env := memstore.Envelope{
		MailFrom:   strings.Trim(strings.TrimSpace(q.Get("mailFrom")), "<>"),
		RcptTo:     splitList(q["rcptTo"]),
		RemoteAddr: r.RemoteAddr,
		TLS:        r.TLS != nil,
	}
	if len(env.RcptTo) == 0 || !q.Has("mailFrom") {
		hdr := mimepart.Parse(raw).Header
		if len(env.RcptTo) == 0 {
			env.RcptTo = headerAddresses(hdr, "To", "Cc", "Bcc")
		}
		if !q.Has("mailFrom") {
			if from := headerAddresses(hdr, "From"); len(from) > 0 {
				env.MailFrom = from[0]
			}
		}
	}
	if len(env.RcptTo) == 0 {
		writeError(w, http.StatusBadRequest, "no recipients: give rcptTo or To/Cc/Bcc headers")
		return
	}
	m, err := h.store.Add(env, raw)
	if err != nil {
		h.storeError(w, err)
		return
	}
	e, err := h.store.Get(m.ID)
	if err != nil { // evicted at once by a tiny limit: the summary is still right
		e = memstore.Entry{Msg: m}
	}
	w.Header().Set("Location", "/api/v1/messages/"+m.ID)
	writeJSON(w, http.StatusCreated, summary(e))
}

// splitList splits repeated, comma-separated values, dropping empties and
// angle brackets.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.Trim(strings.TrimSpace(s), "<>"); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// headerAddresses returns the addresses of the named address fields.
func headerAddresses(hdr mimepart.Header, names ...string) []string {
	var out []string
	for _, f := range hdr {
		for _, n := range names {
			if !strings.EqualFold(f.Name, n) {
				continue
			}
			for _, a := range mimepart.ParseAddressList(f.Raw) {
				if a.Address != "" {
					out = append(out, a.Address)
				}
			}
		}
	}
	return out
}

// setRead serves PUT /api/v1/messages/{id}/read with {"read": bool}.
func (h *Handler) setRead(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Read *bool `json:"read"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err := dec.Decode(&body); err != nil || body.Read == nil {
		writeError(w, http.StatusBadRequest, `the body must be {"read": true} or {"read": false}`)
		return
	}
	id := r.PathValue("id")
	if err := h.store.SetRead(id, *body.Read); err != nil {
		h.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "read": *body.Read})
}

// deleteOne serves DELETE /api/v1/messages/{id}: {"deleted": 1}, or 404.
func (h *Handler) deleteOne(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if len(h.store.Delete(id)) == 0 {
		writeError(w, http.StatusNotFound, "message %q not found", id)
		return
	}
	writeJSON(w, http.StatusOK, deletedJSON{Deleted: 1})
}

// deletedJSON answers the delete calls.
type deletedJSON struct {
	Deleted int `json:"deleted"`
}

// deleteAll serves DELETE /api/v1/messages, the reset call: without
// filters it empties every mailbox and folder (one "reset" event); with
// q, to, from, subject or since it deletes only the matching catch-all
// messages (one "deleted" event). Deleted counts the catch-all messages
// removed; for a full reset it is the count just before the reset.
func (h *Handler) deleteAll(w http.ResponseWriter, r *http.Request) {
	p, err := parseListParams(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if !p.filtered {
		n := h.store.Stats().Listed
		h.store.Reset()
		writeJSON(w, http.StatusOK, deletedJSON{Deleted: n})
		return
	}
	ids, err := h.store.DeleteMatching(p.filter)
	if err != nil {
		h.storeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, deletedJSON{Deleted: len(ids)})
}

// storeError maps a store error to a response; unknown errors are logged
// and answered with a generic 500.
func (h *Handler) storeError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, memstore.ErrNotFound):
		writeError(w, http.StatusNotFound, "%s", strings.ReplaceAll(err.Error(), "memstore: ", ""))
	case errors.Is(err, memstore.ErrTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "message exceeds the store's byte limit")
	default:
		h.log.Error("store", "err", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}

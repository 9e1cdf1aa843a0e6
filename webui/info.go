package webui

import (
	"net/http"
	"time"

	"intray/memstore"
)

// mailboxes serves GET /api/v1/mailboxes: [{address, total, unread}] for
// every recipient with mail, sorted by address.
func (h *Handler) mailboxes(w http.ResponseWriter, r *http.Request) {
	list := h.store.Recipients()
	if list == nil {
		list = []memstore.RecipientMailbox{}
	}
	writeJSON(w, http.StatusOK, list)
}

// infoJSON answers GET /api/v1/info. Addresses are the bound addresses of
// every enabled service, keyed like the ready file; Uptime is in seconds.
type infoJSON struct {
	Version     string            `json:"version"`
	Addresses   map[string]string `json:"addresses"`
	Messages    int               `json:"messages"`
	Unread      int               `json:"unread"`
	Mailboxes   int               `json:"mailboxes"`
	Bytes       int64             `json:"bytes"`
	MaxMessages int               `json:"maxMessages"`
	MaxBytes    int64             `json:"maxBytes"`
	Seq         uint64            `json:"seq"`
	StartTime   time.Time         `json:"startTime"`
	Uptime      int64             `json:"uptime"`
}

// info serves GET /api/v1/info.
func (h *Handler) info(w http.ResponseWriter, r *http.Request) {
	st := h.store.Stats()
	addrs := map[string]string{}
	if h.cfg.Addresses != nil {
		addrs = h.cfg.Addresses()
	}
	writeJSON(w, http.StatusOK, infoJSON{
		Version:     h.cfg.Version,
		Addresses:   addrs,
		Messages:    st.Listed,
		Unread:      st.Unread,
		Mailboxes:   st.Mailboxes,
		Bytes:       st.Bytes,
		MaxMessages: st.MaxMessages,
		MaxBytes:    st.MaxBytes,
		Seq:         st.Seq,
		StartTime:   h.cfg.StartTime.UTC(),
		Uptime:      int64(time.Since(h.cfg.StartTime).Seconds()),
	})
}

// healthz serves GET /healthz: 200 {"status":"ok"} once Config.Ready
// reports true, 503 before. It is exempt from the Host check so that
// container health probes can reach it by any name.
func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Ready != nil && !h.cfg.Ready() {
		writeError(w, http.StatusServiceUnavailable, "starting")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

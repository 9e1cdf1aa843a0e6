package webui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"intray/memstore"
)

// writeJSON writes v as the JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only unsupported values fail; the shapes here have none.
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// errorJSON is the body of every error response.
type errorJSON struct {
	Error string `json:"error"`
}

// writeError writes {"error": msg} with the given status; msg is a
// fmt format with args.
func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, errorJSON{Error: fmt.Sprintf(format, args...)})
}

// jsonErrorWriter turns the plain-text error that http.Error (used by the
// ServeMux and http.FileServer) writes into a JSON error with the same
// status. Anything else passes through unchanged.
type jsonErrorWriter struct {
	http.ResponseWriter
	swallow bool // a JSON error was written; drop the plain-text body
}

func (w *jsonErrorWriter) WriteHeader(status int) {
	h := w.Header()
	if status >= 400 && strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		h.Del("Content-Length")
		writeError(w.ResponseWriter, status, "%s", strings.ToLower(http.StatusText(status)))
		w.swallow = true
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *jsonErrorWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *jsonErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// addressJSON is a mailbox: a display name and an address.
type addressJSON struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// envelopeSummaryJSON is the envelope as the summary shows it.
type envelopeSummaryJSON struct {
	MailFrom string   `json:"mailFrom"`
	RcptTo   []string `json:"rcptTo"`
}

// summaryJSON is a message in lists, wait results and "new" events.
// Date is null when the message has no parsable Date header.
type summaryJSON struct {
	ID             string              `json:"id"`
	From           addressJSON         `json:"from"`
	To             []addressJSON       `json:"to"`
	Cc             []addressJSON       `json:"cc"`
	Subject        string              `json:"subject"`
	Date           *time.Time          `json:"date"`
	ReceivedAt     time.Time           `json:"receivedAt"`
	Size           int                 `json:"size"`
	Snippet        string              `json:"snippet"`
	HasAttachments bool                `json:"hasAttachments"`
	Read           bool                `json:"read"`
	Envelope       envelopeSummaryJSON `json:"envelope"`
}

// listJSON is the answer of the list and wait calls.
type listJSON struct {
	Total    int           `json:"total"`
	Messages []summaryJSON `json:"messages"`
}

// summary converts a catch-all entry.
func summary(e memstore.Entry) summaryJSON {
	m := e.Msg
	s := summaryJSON{
		ID:             m.ID,
		From:           addressJSON{Name: m.From.Name, Address: m.From.Address},
		To:             addresses(m.To),
		Cc:             addresses(m.Cc),
		Subject:        m.Subject,
		ReceivedAt:     m.ReceivedAt.UTC(),
		Size:           m.Size(),
		Snippet:        m.Snippet,
		HasAttachments: m.HasAttachments,
		Read:           e.Flags&memstore.FlagSeen != 0,
		Envelope:       envelopeSummaryJSON{MailFrom: m.Envelope.MailFrom, RcptTo: nonNil(m.Envelope.RcptTo)},
	}
	if !m.Date.IsZero() {
		d := m.Date
		s.Date = &d
	}
	return s
}

// summaries converts a page of entries.
func summaries(page []memstore.Entry) []summaryJSON {
	out := make([]summaryJSON, len(page))
	for i, e := range page {
		out[i] = summary(e)
	}
	return out
}

func addresses(list []memstore.Address) []addressJSON {
	out := make([]addressJSON, len(list))
	for i, a := range list {
		out[i] = addressJSON{Name: a.Name, Address: a.Address}
	}
	return out
}

// bcc returns the envelope recipients that appear in neither To nor Cc:
// the blind copies, as far as this message's envelope shows them.
func bcc(m *memstore.Message) []addressJSON {
	out := []addressJSON{}
	for _, r := range m.Envelope.RcptTo {
		if !inAddresses(r, m.To) && !inAddresses(r, m.Cc) {
			out = append(out, addressJSON{Address: r})
		}
	}
	return out
}

func inAddresses(addr string, list []memstore.Address) bool {
	for _, a := range list {
		if strings.EqualFold(a.Address, addr) {
			return true
		}
	}
	return false
}

// transcriptLines splits an SMTP transcript into its lines ("C: ...",
// "S: ..."), without line endings.
func transcriptLines(t string) []string {
	t = strings.TrimRight(t, "\r\n")
	if t == "" {
		return []string{}
	}
	return strings.Split(strings.ReplaceAll(t, "\r\n", "\n"), "\n")
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

package webui

import (
	"cmp"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"intray/memstore"
)

// Wait call bounds.
const (
	defaultWaitTimeout = 10 * time.Second
	maxWaitTimeout     = 300 * time.Second
	// waitWriteSlack is how long past its timeout a wait call may take to
	// write its answer.
	waitWriteSlack = 30 * time.Second
)

// waitHub matches arriving messages against every waiting wait call. It
// holds one store subscription, read by run; an idle waiter costs a map
// entry and one Match per arriving message, nothing else.
type waitHub struct {
	store Store
	log   *slog.Logger
	stop  <-chan struct{}
	f     *follower

	mu      sync.Mutex // guards the fields below
	waiters map[*waiter]struct{}
	changed notify // test hook, signalled with mu held after waiters change
}

func newWaitHub(store Store, log *slog.Logger, stop <-chan struct{}) *waitHub {
	return &waitHub{store: store, log: log, stop: stop, f: newFollower(store),
		waiters: make(map[*waiter]struct{})}
}

// waiter is one wait call: its compiled filter and the distinct messages
// that matched so far.
type waiter struct {
	m    *memstore.Matcher
	need int
	done chan struct{} // closed when need distinct messages matched

	mu   sync.Mutex // guards seen
	seen map[string]struct{}
}

func newWaiter(m *memstore.Matcher, need int) *waiter {
	return &waiter{m: m, need: need, done: make(chan struct{}), seen: make(map[string]struct{}, need)}
}

// offer records a matching message ID; it reports whether this completed
// the waiter. The same ID offered twice (found in the store and announced
// by an event) counts once.
func (w *waiter) offer(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.seen) >= w.need {
		return false
	}
	w.seen[id] = struct{}{}
	if len(w.seen) == w.need {
		close(w.done)
		return true
	}
	return false
}

// matched returns how many distinct messages matched so far.
func (w *waiter) matched() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.seen)
}

// run delivers events to waiters until the handler stops.
func (wh *waitHub) run() {
	for {
		ev, resync, ok := wh.f.next(wh.stop)
		switch {
		case !ok:
			return
		case resync:
			wh.log.Warn("wait: event subscription lagged; re-checking waiters against the store")
			wh.recheck()
		case ev.Type == memstore.EventNew:
			wh.offer(catchAllEntry(ev))
		case ev.Type == memstore.EventRead && wh.count() > 0:
			if e, err := wh.store.Get(ev.ID); err == nil { // is:read / is:unread may match now
				wh.offer(e)
			}
		}
	}
}

// add registers w. Every message stored after add returns reaches w
// through run; the caller checks the store for earlier ones.
func (wh *waitHub) add(w *waiter) {
	wh.mu.Lock()
	wh.waiters[w] = struct{}{}
	wh.changed.signal()
	wh.mu.Unlock()
}

// remove unregisters w; it is a no-op for a completed waiter.
func (wh *waitHub) remove(w *waiter) {
	wh.mu.Lock()
	delete(wh.waiters, w)
	wh.changed.signal()
	wh.mu.Unlock()
}

// count returns the number of registered waiters (a test hook, too).
func (wh *waitHub) count() int {
	wh.mu.Lock()
	defer wh.mu.Unlock()
	return len(wh.waiters)
}

// offer hands e to every waiter it matches; completed waiters leave.
func (wh *waitHub) offer(e memstore.Entry) {
	wh.mu.Lock()
	defer wh.mu.Unlock()
	for w := range wh.waiters {
		if w.m.Match(e) && w.offer(e.Msg.ID) {
			delete(wh.waiters, w)
			wh.changed.signal()
		}
	}
}

// recheck matches every stored message against every waiter, after events
// were lost.
func (wh *waitHub) recheck() {
	if wh.count() == 0 {
		return
	}
	_, all, err := wh.store.List(memstore.Filter{}, 0, -1)
	if err != nil {
		wh.log.Error("wait: re-check", "err", err)
		return
	}
	for _, e := range all {
		wh.offer(e)
	}
}

// wait serves GET /api/v1/messages/wait: it answers like the list call
// (same filters, newest first, limit raised to count) as soon as count
// distinct messages match, counting those already stored; 408 after the
// timeout (0 to 300 s, default 10 s; "10s", "1m", "2.5" seconds); 503 on
// shutdown. A client that goes away releases its waiter at once.
func (h *Handler) wait(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := parseListParams(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	count, err := intParam(q, "count", 1, 1, maxLimit)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	timeout, err := parseTimeout(q.Get("timeout"), defaultWaitTimeout, maxWaitTimeout)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	m, err := h.store.Matcher(p.filter)
	if err != nil {
		h.storeError(w, err)
		return
	}
	wt := newWaiter(m, count)
	h.waits.add(wt) // first, so that nothing stored from now on is missed
	defer h.waits.remove(wt)
	if !h.waitPrecheck(w, wt, p.filter) {
		return
	}
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(timeout + waitWriteSlack))
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-wt.done:
	default:
		select {
		case <-wt.done:
		case <-timer.C:
			writeError(w, http.StatusRequestTimeout, "timed out after %v: %d of %d messages matched",
				timeout, wt.matched(), count)
			return
		case <-r.Context().Done():
			return
		case <-h.stop:
			writeError(w, http.StatusServiceUnavailable, "server shutting down")
			return
		}
	}
	p.limit = max(p.limit, count)
	h.waitAnswer(w, wt, p)
}

// waitPrecheck offers the messages already stored to wt (after it was
// registered: one arriving in between is offered twice and counted once).
func (h *Handler) waitPrecheck(w http.ResponseWriter, wt *waiter, f memstore.Filter) bool {
	_, page, err := h.store.List(f, 0, wt.need)
	if err != nil {
		h.storeError(w, err)
		return false
	}
	for _, e := range page {
		wt.offer(e.Msg.ID)
	}
	return true
}

// waitAnswer writes the list of matches of a completed wait. When the list
// cannot be made (the since message was deleted meanwhile), it lists the
// messages that completed the wait.
func (h *Handler) waitAnswer(w http.ResponseWriter, wt *waiter, p listParams) {
	total, page, err := h.store.List(p.filter, p.offset, p.limit)
	if err != nil {
		wt.mu.Lock()
		for id := range wt.seen {
			if e, err := h.store.Get(id); err == nil {
				page = append(page, e)
			}
		}
		wt.mu.Unlock()
		sortNewestFirst(page)
		total = len(page)
	}
	writeJSON(w, http.StatusOK, listJSON{Total: total, Messages: summaries(page)})
}

// sortNewestFirst sorts entries newest first.
func sortNewestFirst(page []memstore.Entry) {
	slices.SortFunc(page, func(a, b memstore.Entry) int { return cmp.Compare(b.Msg.Seq, a.Msg.Seq) })
}

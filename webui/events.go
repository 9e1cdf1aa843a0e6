package webui

import (
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"intray/memstore"
)

// Event stream bounds.
const (
	// ringSize is how many recent events are kept for {"since": seq}.
	ringSize = 256
	// clientQueue is each client's send queue, in events; a client that
	// lets it fill up is dropped. It holds a full replay of the ring.
	clientQueue = ringSize + 256
)

// Event types the stream adds to memstore's: hello (sent first, with the
// current seq) and resync (events were lost: reload everything).
const (
	eventHello  = "hello"
	eventResync = "resync"
)

// eventJSON is one message on the event stream. Seq is the store's event
// sequence number; a client that reconnects sends {"since": seq} with the
// last one it saw.
type eventJSON struct {
	Type    string       `json:"type"`
	Seq     uint64       `json:"seq"`
	Message *summaryJSON `json:"message,omitempty"` // new
	IDs     []string     `json:"ids,omitempty"`     // deleted, evicted
	ID      string       `json:"id,omitempty"`      // read
	Read    *bool        `json:"read,omitempty"`    // read
}

// streamed reports whether the stream shows events of type t: not changes
// to recipient mailboxes and folders only.
func streamed(t memstore.EventType) bool {
	switch t {
	case memstore.EventNew, memstore.EventDeleted, memstore.EventEvicted, memstore.EventRead, memstore.EventReset:
		return true
	}
	return false
}

// encodeEvent returns the stream message for ev, or nil for events the
// stream does not show (see streamed).
func encodeEvent(ev memstore.Event) []byte {
	out := eventJSON{Type: string(ev.Type), Seq: ev.Seq}
	switch ev.Type {
	case memstore.EventNew:
		s := summary(catchAllEntry(ev))
		out.Message = &s
	case memstore.EventDeleted, memstore.EventEvicted:
		out.IDs = ev.IDs
	case memstore.EventRead:
		out.ID, out.Read = ev.ID, &ev.Read
	case memstore.EventReset:
	default:
		return nil
	}
	return mustJSON(out)
}

// controlEvent encodes a hello or resync message.
func controlEvent(typ string, seq uint64) []byte {
	return mustJSON(eventJSON{Type: typ, Seq: seq})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the event shapes always marshal
	}
	return b
}

// eventHub fans the store's events out to websocket clients: one store
// subscription, read by run, encoded once per event (and not at all while
// no client is connected), queued to each client without blocking.
type eventHub struct {
	log     *slog.Logger
	stop    <-chan struct{}
	f       *follower
	clients sync.WaitGroup // one per connected client's handler

	// Set by newEventHub; tests change them before serving.
	queueLen   int           // per-client queue: clientQueue
	pingPeriod time.Duration // wsPingPeriod
	pongWait   time.Duration // wsPongWait

	mu    sync.Mutex // guards the fields below
	conns map[*wsClient]struct{}
	// ring holds the JSON of the newest streamed events, oldest first,
	// for {"since": seq}. It only holds encoded bytes (never a
	// memstore.Event, which would keep a message's raw bytes alive), and
	// only while a client is connected: without clients it is empty and
	// floor is raised to last, so an older since gets a resync.
	ring    []ringEvent
	floor   uint64 // every streamed event with Seq > floor is in ring
	last    uint64 // Seq of the last event processed
	closed  bool   // closeClients was called
	dropped int    // clients dropped for being slow
	onDrop  func() // test hook, called with mu held
	changed notify // test hook, signalled with mu held after clients or last change
}

// ringEvent is a streamed event's JSON.
type ringEvent struct {
	seq  uint64
	data []byte
}

// notify is a test hook that lets a test wait for a hub's state to change
// without polling: when not nil it is signalled, without blocking, after
// every change. Tests make it with a buffer of one.
type notify chan struct{}

func (n notify) signal() {
	if n != nil {
		select {
		case n <- struct{}{}:
		default:
		}
	}
}

func newEventHub(store Subscriber, log *slog.Logger, stop <-chan struct{}) *eventHub {
	f := newFollower(store)
	return &eventHub{log: log, stop: stop, f: f, queueLen: clientQueue, pingPeriod: wsPingPeriod, pongWait: wsPongWait,
		conns: make(map[*wsClient]struct{}), floor: f.seq(), last: f.seq()}
}

// run forwards events until the handler stops.
func (eh *eventHub) run() {
	for {
		ev, resync, ok := eh.f.next(eh.stop)
		switch {
		case !ok:
			return
		case resync:
			eh.log.Warn("events: subscription lagged; telling clients to resync")
			eh.resync(eh.f.seq())
		default:
			eh.publish(ev)
		}
	}
}

// publish records an event and queues it to every client. The event is
// encoded outside mu, and only when a client is connected.
func (eh *eventHub) publish(ev memstore.Event) {
	var data []byte
	if streamed(ev.Type) && eh.clientCount() > 0 {
		data = encodeEvent(ev)
	}
	eh.mu.Lock()
	defer eh.mu.Unlock()
	defer eh.changed.signal()
	eh.last = ev.Seq
	switch {
	case !streamed(ev.Type):
		return
	case len(eh.conns) == 0:
		eh.forgetLocked()
		return
	case data == nil:
		data = encodeEvent(ev) // a client registered after the check above
	}
	if ev.Type == memstore.EventReset {
		eh.forgetLocked() // a since before the reset resyncs: a reload is what a reset asks for
	} else {
		if len(eh.ring) == ringSize {
			eh.floor = eh.ring[0].seq
			eh.ring[0] = ringEvent{}
			eh.ring = eh.ring[1:] // append reallocates now and then: amortised O(1)
		}
		eh.ring = append(eh.ring, ringEvent{seq: ev.Seq, data: data})
	}
	for c := range eh.conns {
		c.sentLive = true
		eh.queueLocked(c, data)
	}
}

// forgetLocked empties the ring: every since before last now resyncs.
func (eh *eventHub) forgetLocked() {
	eh.ring, eh.floor = nil, eh.last
}

// resync forgets the ring and tells every client to reload.
func (eh *eventHub) resync(seq uint64) {
	eh.mu.Lock()
	defer eh.mu.Unlock()
	defer eh.changed.signal()
	eh.last = seq
	eh.forgetLocked()
	data := controlEvent(eventResync, seq)
	for c := range eh.conns {
		c.sentLive = true
		eh.queueLocked(c, data)
	}
}

// queueLocked queues data for c, dropping c if its queue is full.
func (eh *eventHub) queueLocked(c *wsClient, data []byte) bool {
	select {
	case c.send <- data:
		return true
	default:
		eh.dropped++
		eh.log.Info("events: dropping a slow client", "remote", c.remote)
		eh.dropLocked(c, closeTooSlow, "too slow: events were lost; reconnect and resync")
		if eh.onDrop != nil {
			eh.onDrop()
		}
		return false
	}
}

// dropLocked unregisters c and tells its write pump to close with code.
func (eh *eventHub) dropLocked(c *wsClient, code int, text string) {
	if _, ok := eh.conns[c]; !ok {
		return
	}
	delete(eh.conns, c)
	c.closeCode, c.closeText = code, text
	close(c.gone)
	if len(eh.conns) == 0 {
		eh.forgetLocked() // nobody to replay to: keep nothing
	}
	eh.changed.signal()
}

// register adds c, queues hello and, if since is given, the replay. It
// returns false after closeClients.
func (eh *eventHub) register(c *wsClient, since *uint64) bool {
	eh.mu.Lock()
	defer eh.mu.Unlock()
	if eh.closed {
		return false
	}
	eh.clients.Add(1)
	eh.conns[c] = struct{}{}
	eh.changed.signal()
	eh.queueLocked(c, controlEvent(eventHello, eh.last))
	if since != nil {
		eh.replayLocked(c, *since)
	}
	return true
}

// unregister removes c (its connection ended).
func (eh *eventHub) unregister(c *wsClient) {
	eh.mu.Lock()
	eh.dropLocked(c, 0, "")
	eh.mu.Unlock()
}

// replay queues the events after since that c has not been sent, or a
// resync when they are no longer known or live events were already sent
// (replaying then would deliver events out of order).
func (eh *eventHub) replay(c *wsClient, since uint64) {
	eh.mu.Lock()
	defer eh.mu.Unlock()
	if _, ok := eh.conns[c]; ok {
		eh.replayLocked(c, since)
	}
}

func (eh *eventHub) replayLocked(c *wsClient, since uint64) {
	if c.sentLive || since < eh.floor || since > eh.last {
		c.sentLive = true
		eh.queueLocked(c, controlEvent(eventResync, eh.last))
		return
	}
	for i := range eh.ring {
		if eh.ring[i].seq > since && !eh.queueLocked(c, eh.ring[i].data) {
			return
		}
	}
}

// closeClients sends every client a going-away close frame, refuses new
// ones, and waits for their connections to end.
func (eh *eventHub) closeClients() {
	eh.mu.Lock()
	eh.closed = true
	for c := range eh.conns {
		eh.dropLocked(c, closeGoingAway, "server shutting down")
	}
	eh.mu.Unlock()
	eh.clients.Wait()
}

// clientCount returns the number of connected clients.
func (eh *eventHub) clientCount() int {
	eh.mu.Lock()
	defer eh.mu.Unlock()
	return len(eh.conns)
}

// lastSeq returns the seq of the last event processed (a test hook).
func (eh *eventHub) lastSeq() uint64 {
	eh.mu.Lock()
	defer eh.mu.Unlock()
	return eh.last
}

package webui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
	"weak"

	"github.com/gorilla/websocket"

	"intray/memstore"
)

// dialEvents opens the event stream of the server at base (http://...),
// with an Origin header when origin is not empty; query is appended.
func dialEvents(t testing.TB, base, origin string, query ...string) *websocket.Conn {
	t.Helper()
	ws, resp, err := dialEventsErr(base, origin, query...)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial events: %v (status %d)", err, status)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

func dialEventsErr(base, origin string, query ...string) (*websocket.Conn, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/events" + strings.Join(query, "")
	hdr := http.Header{}
	if origin != "" {
		hdr.Set("Origin", origin)
	}
	return websocket.DefaultDialer.Dial(u, hdr)
}

// readEvent reads one event, failing after 5 s.
func readEvent(t testing.TB, ws *websocket.Conn) eventJSON {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var ev eventJSON
	if err := ws.ReadJSON(&ev); err != nil {
		t.Fatalf("read event: %v", err)
	}
	return ev
}

// closeCode reads until the connection ends and returns the close code
// (0 when it ended without a close frame).
func closeCode(t testing.TB, ws *websocket.Conn) int {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		return 0
	}
}

func TestEventsStream(t *testing.T) {
	store := memstore.New(memstore.Options{MaxMessages: 2})
	e := newTestEnvStore(t, store)
	ws := dialEvents(t, e.url, "")
	hello := readEvent(t, ws)
	if hello.Type != "hello" || hello.Seq != store.Stats().Seq {
		t.Fatalf("hello = %+v", hello)
	}
	a := e.add(plainMsg("bob@example.com", "first"), "bob@example.com")
	ev := readEvent(t, ws)
	if ev.Type != "new" || ev.Message == nil || ev.Message.ID != a.ID || ev.Message.Subject != "first" || ev.Seq != a.Seq {
		t.Fatalf("new event = %+v", ev)
	}
	last := ev.Seq
	next := func(typ string) eventJSON {
		t.Helper()
		ev := readEvent(t, ws)
		if ev.Type != typ || ev.Seq <= last {
			t.Fatalf("got %+v, want a %s event after seq %d", ev, typ, last)
		}
		last = ev.Seq
		return ev
	}
	store.SetRead(a.ID, true)
	if ev := next("read"); ev.ID != a.ID || ev.Read == nil || !*ev.Read {
		t.Errorf("read event = %+v", ev)
	}
	b := e.add(plainMsg("bob@example.com", "second"), "bob@example.com")
	next("new")
	e.add(plainMsg("bob@example.com", "third"), "bob@example.com")
	next("new")
	if ev := next("evicted"); len(ev.IDs) != 1 || ev.IDs[0] != a.ID {
		t.Errorf("evicted event = %+v", ev)
	}
	e.call("DELETE", "/api/v1/messages/"+b.ID, "", 200, nil)
	if ev := next("deleted"); len(ev.IDs) != 1 || ev.IDs[0] != b.ID {
		t.Errorf("deleted event = %+v", ev)
	}
	// Changes that only concern IMAP folders are not shown.
	if err := store.CreateMailbox("x@example.com", "Projects"); err != nil {
		t.Fatal(err)
	}
	e.call("DELETE", "/api/v1/messages", "", 200, nil)
	next("reset")
}

func TestEventsSince(t *testing.T) {
	e := newTestEnv(t)
	keeper := dialEvents(t, e.url, "") // the ring is only kept while a client is connected
	start := readEvent(t, keeper).Seq
	var ids []string
	for i := range 3 {
		ids = append(ids, e.add(plainMsg("bob@example.com", fmt.Sprint(i)), "bob@example.com").ID)
	}
	e.waitSeq()
	check := func(ws *websocket.Conn) {
		t.Helper()
		for _, id := range ids {
			if ev := readEvent(t, ws); ev.Type != "new" || ev.Message.ID != id {
				t.Fatalf("replayed %+v, want new %s", ev, id)
			}
		}
	}
	// With ?since= on the URL.
	ws := dialEvents(t, e.url, "", fmt.Sprintf("?since=%d", start))
	if ev := readEvent(t, ws); ev.Type != "hello" {
		t.Fatalf("first = %+v", ev)
	}
	check(ws)
	// With a {"since": n} message.
	ws = dialEvents(t, e.url, "")
	readEvent(t, ws)
	ws.WriteJSON(map[string]any{"since": start})
	check(ws)
	// Nothing missed: nothing replayed, the next event is live.
	ws.WriteJSON(map[string]any{"since": e.store.Stats().Seq})
	e.add(plainMsg("bob@example.com", "live"), "bob@example.com")
	if ev := readEvent(t, ws); ev.Type != "new" || ev.Message.Subject != "live" {
		t.Fatalf("after an empty replay got %+v", ev)
	}
	// Live events were sent: a replay now would be out of order.
	ws.WriteJSON(map[string]any{"since": start})
	if ev := readEvent(t, ws); ev.Type != "resync" {
		t.Fatalf("late since: %+v, want resync", ev)
	}
	// Unknown futures (a restarted server) and forgotten pasts resync.
	ws = dialEvents(t, e.url, "", "?since=999999")
	readEvent(t, ws)
	if ev := readEvent(t, ws); ev.Type != "resync" {
		t.Fatalf("since in the future: %+v, want resync", ev)
	}
	for i := range ringSize {
		e.add(plainMsg("bob@example.com", fmt.Sprint(i)), "bob@example.com")
	}
	e.waitSeq()
	ws = dialEvents(t, e.url, "", fmt.Sprintf("?since=%d", start))
	readEvent(t, ws)
	if ev := readEvent(t, ws); ev.Type != "resync" {
		t.Fatalf("since older than the ring: %+v, want resync", ev)
	}
	e.callError("GET", "/api/v1/events?since=x", "", 400)
}

func TestEventsResyncOnLag(t *testing.T) {
	e := newTestEnv(t)
	ws := dialEvents(t, e.url, "")
	readEvent(t, ws)
	e.h.events.resync(e.store.Stats().Seq) // what run does after a lagged subscription
	if ev := readEvent(t, ws); ev.Type != "resync" {
		t.Fatalf("got %+v, want resync", ev)
	}
}

// TestEventsSlowClient checks that a client that stops reading is dropped
// with 1013 while another keeps receiving every event in order, and that
// ingest never waits for either.
func TestEventsSlowClient(t *testing.T) {
	dropped := make(chan struct{}, 1)
	e := newTestEnv(t, func(h *Handler) {
		h.events.queueLen = 8
		h.events.mu.Lock()
		h.events.onDrop = func() {
			select {
			case dropped <- struct{}{}:
			default:
			}
		}
		h.events.mu.Unlock()
	})
	slow := dialEvents(t, e.url, "")
	fast := dialEvents(t, e.url, "")
	readEvent(t, fast)
	got := make(chan string, 10000)
	go func() {
		for {
			var ev eventJSON
			if err := fast.ReadJSON(&ev); err != nil {
				close(got)
				return
			}
			got <- ev.Message.Subject
		}
	}()
	big := strings.Repeat("x", 60<<10)
	n := 0
	for ; ; n++ {
		subject := fmt.Sprintf("%d %s", n, big)
		e.add(plainMsg("bob@example.com", subject), "bob@example.com")
		// The fast client receives each event while the slow one reads nothing.
		if s, ok := <-got; !ok || s != subject {
			t.Fatalf("fast client event %d: %.20q, want %.20q", n, s, subject)
		}
		select {
		case <-dropped:
		default:
			if n > 5000 {
				t.Fatal("slow client never dropped")
			}
			continue
		}
		break
	}
	if c := e.h.events.clientCount(); c != 1 {
		t.Fatalf("%d clients left, want the fast one", c)
	}
	e.add(plainMsg("bob@example.com", "after"), "bob@example.com")
	if s := <-got; s != "after" {
		t.Fatalf("fast client after the drop: %.20q", s)
	}
	if code := closeCode(t, slow); code != websocket.CloseTryAgainLater {
		t.Errorf("slow client close code %d, want 1013", code)
	}
	t.Logf("slow client dropped after %d events", n+1)
}

func TestEventsPingAndPongTimeout(t *testing.T) {
	e := newTestEnv(t, func(h *Handler) {
		h.events.pingPeriod = 10 * time.Millisecond
		h.events.pongWait = 200 * time.Millisecond
	})
	ws := dialEvents(t, e.url, "")
	pings := make(chan struct{}, 100)
	ws.SetPingHandler(func(data string) error {
		pings <- struct{}{}
		return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	for range 30 { // 300 ms of pings: the pongs keep it alive past pongWait
		select {
		case <-pings:
		case <-time.After(5 * time.Second):
			t.Fatal("no ping")
		}
	}
	if n := e.h.events.clientCount(); n != 1 {
		t.Fatalf("answering client dropped: %d clients", n)
	}
	// A client that never reads never answers a ping: it is dropped.
	mute := dialEvents(t, e.url, "")
	readEvent(t, mute) // registered
	e.waitEvents(func() bool { return e.h.events.clientCount() == 1 })
}

func TestEventsReadLimit(t *testing.T) {
	e := newTestEnv(t)
	ws := dialEvents(t, e.url, "")
	readEvent(t, ws)
	ws.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", wsReadLimit+1)))
	if code := closeCode(t, ws); code != websocket.CloseMessageTooBig && code != 0 {
		t.Errorf("close code %d, want 1009", code)
	}
	e.waitEvents(func() bool { return e.h.events.clientCount() == 0 })
}

// dialEventsWithHost opens the event stream with a given Host header.
func dialEventsWithHost(base, host string) (*websocket.Conn, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/events"
	return websocket.DefaultDialer.Dial(u, http.Header{"Host": {host}})
}

// ringLen returns how many events the replay ring holds.
func ringLen(eh *eventHub) int {
	eh.mu.Lock()
	defer eh.mu.Unlock()
	return len(eh.ring)
}

// TestEventsNoRingWithoutClients checks that events nobody watches are
// neither encoded nor kept, and that a since from before them resyncs.
func TestEventsNoRingWithoutClients(t *testing.T) {
	e := newTestEnv(t)
	before := e.store.Stats().Seq
	e.add(plainMsg("bob@example.com", "unwatched"), "bob@example.com")
	e.waitSeq()
	if n := ringLen(e.h.events); n != 0 {
		t.Fatalf("ring holds %d events without a client", n)
	}
	ws := dialEvents(t, e.url, "", fmt.Sprintf("?since=%d", before))
	readEvent(t, ws) // hello
	if ev := readEvent(t, ws); ev.Type != "resync" {
		t.Fatalf("since before unwatched events: %+v, want resync", ev)
	}
	// The ring is dropped when the last client leaves.
	e.add(plainMsg("bob@example.com", "watched"), "bob@example.com")
	readEvent(t, ws)
	if n := ringLen(e.h.events); n != 1 {
		t.Fatalf("ring holds %d events with a client, want 1", n)
	}
	ws.Close()
	e.waitEvents(func() bool { return e.h.events.clientCount() == 0 })
	if n := ringLen(e.h.events); n != 0 {
		t.Fatalf("ring holds %d events after the last client left", n)
	}
}

// TestEventsResetClearsRing checks that a reset empties the ring: a since
// before it resyncs rather than replaying summaries of deleted messages.
func TestEventsResetClearsRing(t *testing.T) {
	e := newTestEnv(t)
	keeper := dialEvents(t, e.url, "")
	before := readEvent(t, keeper).Seq
	for i := range 3 {
		e.add(plainMsg("bob@example.com", fmt.Sprint(i)), "bob@example.com")
	}
	e.call("DELETE", "/api/v1/messages", "", 200, nil)
	e.waitSeq()
	if n := ringLen(e.h.events); n != 0 {
		t.Fatalf("ring holds %d events after a reset", n)
	}
	ws := dialEvents(t, e.url, "", fmt.Sprintf("?since=%d", before))
	readEvent(t, ws) // hello
	if ev := readEvent(t, ws); ev.Type != "resync" {
		t.Fatalf("since before a reset: %+v, want resync", ev)
	}
	// Live clients still see the reset.
	for {
		if ev := readEvent(t, keeper); ev.Type == "reset" {
			break
		}
	}
}

// TestEventsRingHoldsNoMessage checks that a deleted message is not kept
// alive by the replay ring while a client is connected.
func TestEventsRingHoldsNoMessage(t *testing.T) {
	e := newTestEnv(t)
	keeper := dialEvents(t, e.url, "")
	readEvent(t, keeper)
	m := e.add(plainMsg("bob@example.com", "big "+strings.Repeat("x", 100)), "bob@example.com")
	wp := weak.Make(m)
	if ev := readEvent(t, keeper); ev.Type != "new" {
		t.Fatalf("got %+v", ev)
	}
	e.call("DELETE", "/api/v1/messages/"+m.ID, "", 200, nil)
	m = nil
	// Let both hubs move past the message's events: the wait hub handles
	// events in order, so once a wait for a later message returns it has
	// seen them.
	res := e.startWait(context.Background(), "q=subject:sync&timeout=30s")
	e.waitWaiters(1)
	e.add(plainMsg("bob@example.com", "sync"), "bob@example.com")
	if r := <-res; r.status != 200 {
		t.Fatalf("wait: %+v", r)
	}
	e.waitSeq()
	runtime.GC()
	runtime.GC()
	if wp.Value() != nil {
		t.Fatal("a deleted message is still reachable (from the event ring?)")
	}
}

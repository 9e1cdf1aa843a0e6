package webui

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// Websocket timing and limits (RFC 6455 ping/pong keepalive).
const (
	wsWriteWait  = 10 * time.Second // to write one message
	wsCloseWait  = time.Second      // to write the close frame
	wsPongWait   = 60 * time.Second // without any frame from the client
	wsPingPeriod = 25 * time.Second // must be well under wsPongWait
	wsReadLimit  = 4 << 10          // client messages are tiny: {"since": n}
)

// Close codes (RFC 6455 7.4.1).
const (
	closeGoingAway = websocket.CloseGoingAway
	closeTooSlow   = websocket.CloseTryAgainLater
)

// wsClient is one websocket connection. The handler goroutine that
// upgraded it runs the read pump and owns a write-pump goroutine.
type wsClient struct {
	conn   *websocket.Conn
	remote string
	send   chan []byte   // queued messages; never closed
	gone   chan struct{} // closed by the hub when the client is dropped

	// Guarded by eventHub.mu; closeCode and closeText are set before gone
	// is closed and read by the write pump after.
	sentLive  bool // an event after registration was queued
	closeCode int
	closeText string
}

// eventStream serves GET /api/v1/events, the websocket event stream. The
// server first sends {"type":"hello","seq":n}, then one JSON text message
// per event. A client that reconnects asks for what it missed with
// ?since=seq on the URL or a {"since": seq} message right after
// connecting; it gets the events after seq from the last 256, or
// {"type":"resync"} when those are gone (reload the list): the server
// keeps them only while some client is connected and forgets them at a
// reset. A client that
// does not keep up is closed with 1013.
func (h *Handler) eventStream(w http.ResponseWriter, r *http.Request) {
	var since *uint64
	if s := r.URL.Query().Get("since"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "since must be an event seq number")
			return
		}
		since = &n
	}
	up := websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 8 << 10,
		CheckOrigin:     func(*http.Request) bool { return true }, // checked by ServeHTTP
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			writeError(w, status, "%v", reason)
		},
	}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade wrote the error
	}
	c := &wsClient{conn: conn, remote: r.RemoteAddr, send: make(chan []byte, h.events.queueLen),
		gone: make(chan struct{})}
	if !h.events.register(c, since) {
		conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(closeGoingAway, "server shutting down"), time.Now().Add(wsCloseWait))
		conn.Close()
		return
	}
	defer h.events.clients.Done()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.writePump(h.events.pingPeriod)
	}()
	c.readPump(h.events, h.events.pongWait)
	h.events.unregister(c)
	<-done
}

// readPump reads client messages until the connection fails: pongs and any
// message extend the read deadline; {"since": n} asks for a replay.
func (c *wsClient) readPump(eh *eventHub, pongWait time.Duration) {
	conn := c.conn
	conn.SetReadLimit(wsReadLimit)
	conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		conn.SetReadDeadline(time.Now().Add(pongWait))
		var msg struct {
			Since *uint64 `json:"since"`
		}
		if json.Unmarshal(data, &msg) == nil && msg.Since != nil {
			eh.replay(c, *msg.Since)
		}
	}
}

// writePump writes queued messages and pings until the client is dropped
// or a write fails; then it sends the close frame and closes the
// connection, which ends the read pump.
func (c *wsClient) writePump(pingPeriod time.Duration) {
	conn := c.conn
	defer conn.Close()
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		select {
		case data := <-c.send:
			conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
			if err := conn.WriteMessage(websocket.TextMessage, data); err != nil {
				return
			}
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteWait)); err != nil {
				return
			}
		case <-c.gone:
			code, text := c.closeCode, c.closeText
			if code == 0 {
				code = websocket.CloseNormalClosure
			}
			conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text),
				time.Now().Add(wsCloseWait))
			return
		}
	}
}

// Package webui implements intray's HTTP side: the JSON API under /api/v1,
// the websocket event stream at /api/v1/events, the wait and reset calls,
// /healthz, and the embedded web inbox (the static directory, served at /:
// index.html at "/", every other file at its own path, "/app.css",
// "/js/app.js").
//
// Contract: every JSON field is camelCase; every error, including the
// ServeMux's own 404 and 405, is {"error": "..."} with a fitting status.
// GET requests never change anything (the inbox marks a message read with
// PUT .../read). The shapes are documented on summaryJSON, messageJSON,
// partJSON, eventJSON and infoJSON; the endpoints on their handler methods.
//
// Security (security.go): the Host header must name this server (a
// loopback name, an IP literal, the bound address or Config.AllowedHosts),
// against DNS rebinding; websocket upgrades and every state-changing request
// must come from the same origin, from Config.CORSOrigin, or carry no Origin
// at all (curl, test suites); CORS headers are only sent when CORSOrigin is
// set. Captured HTML is served only from /html and the part URLs, under a
// Content-Security-Policy with the sandbox directive and no script.
//
// Wiring (main.go):
//
//	h := webui.New(webui.Config{Store: store, Logger: log, Version: version,
//		AllowedHosts: hosts, CORSOrigin: cors, MaxMessageSize: maxSize,
//		Addresses: boundAddrs, Ready: ready.Load, StartTime: start})
//	srv := webui.NewServer(h) // registers h.Close for srv.Shutdown
//	go srv.Serve(ln)
//	...
//	srv.Shutdown(ctx) // releases waiters (503), closes websockets (1001)
//
// Config.Validate checks user input (--cors-origin, --allowed-hosts) first;
// New panics on what Validate rejects.
//
// Left out on purpose: authentication (intray is a local sandbox; exposing
// it is an explicit flag), compression, and sanitising message HTML (the
// CSP sandbox is the protection; the stored bytes are shown as sent).
package webui

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"intray/memstore"
)

// Finder reads messages. *memstore.Store implements it.
type Finder interface {
	Get(id string) (memstore.Entry, error)
	List(f memstore.Filter, offset, limit int) (total int, page []memstore.Entry, err error)
	Matcher(f memstore.Filter) (*memstore.Matcher, error)
}

// Mutator changes messages. *memstore.Store implements it.
type Mutator interface {
	Add(env memstore.Envelope, raw []byte) (*memstore.Message, error)
	Delete(ids ...string) []string
	DeleteMatching(f memstore.Filter) ([]string, error)
	Reset()
	SetRead(id string, read bool) error
}

// Counter reports the store's counters and recipient mailboxes.
// *memstore.Store implements it.
type Counter interface {
	Stats() memstore.Stats
	Recipients() []memstore.RecipientMailbox
}

// Subscriber hands out event subscriptions. *memstore.Store implements it.
type Subscriber interface {
	Subscribe(buffer int) *memstore.Subscription
}

// Store is everything the handler uses from the mail store.
type Store interface {
	Finder
	Mutator
	Counter
	Subscriber
}

// responseWriteTimeout bounds writing one response (a 25 MiB raw message
// to a slow client included).
const responseWriteTimeout = 2 * time.Minute

// DefaultMaxMessageSize is the POST /api/v1/messages body limit used when
// Config.MaxMessageSize is 0. It matches the SMTP default.
const DefaultMaxMessageSize = 25 << 20

// Config configures a Handler. Only Store is required.
type Config struct {
	Store  Store
	Logger *slog.Logger // default: discard
	// AllowedHosts are extra names accepted in the Host header besides
	// localhost, *.localhost, IP literals and the bound HTTP address. An
	// entry ".example.com" also allows every subdomain; "*" allows any Host
	// (turns the DNS-rebinding protection off).
	AllowedHosts []string
	// CORSOrigin, when set, is an origin ("http://localhost:3000") allowed
	// to make cross-origin requests (CORS headers are sent for it) and to
	// open the websocket; "*" allows every origin and turns the
	// cross-origin checks off, so that any web page the user visits can
	// call the whole API, the reset (DELETE /api/v1/messages) included,
	// and read every message. Empty: CORS off.
	CORSOrigin string
	// Addresses returns the bound address of every service, keyed like the
	// ready file ("smtp", "pop3", "imap", "http", ..., "web"). It is called
	// per request of /api/v1/info and when a Host is checked against the
	// bound HTTP address; it must be safe for concurrent use. May be nil.
	Addresses func() map[string]string
	Version   string
	// Ready reports whether every listener is up; /healthz answers 503
	// until it does. Nil means always ready.
	Ready func() bool
	// StartTime is when the process started, for the uptime in
	// /api/v1/info; default: when New was called.
	StartTime time.Time
	// MaxMessageSize bounds POST /api/v1/messages bodies; default
	// DefaultMaxMessageSize.
	MaxMessageSize int64
}

// Handler serves the HTTP API, the event stream and the web inbox. Create
// it with New and call Close when done (NewServer registers Close with the
// http.Server's Shutdown). A Handler is safe for concurrent use.
type Handler struct {
	cfg    Config
	store  Store
	log    *slog.Logger
	mux    *http.ServeMux
	hosts  hostPolicy
	cop    *http.CrossOriginProtection
	static fs.FS        // the embedded inbox (see static.go)
	files  http.Handler // file server over static
	waits  *waitHub
	events *eventHub

	stop      chan struct{} // closed by Close; ends the hubs and waiters
	closeOnce sync.Once
	wg        sync.WaitGroup // the hub goroutines
}

// Validate reports what New would refuse: a nil Store, a CORSOrigin that
// is neither "*" nor an origin ("http://host:port"), an AllowedHosts entry
// that is not a host name. main.go calls it on user input before New.
func (c Config) Validate() error {
	_, _, err := c.policies()
	return err
}

func (c Config) policies() (hostPolicy, *http.CrossOriginProtection, error) {
	if c.Store == nil {
		return hostPolicy{}, nil, errors.New("webui: Config.Store is nil")
	}
	hosts, err := newHostPolicy(c.AllowedHosts)
	if err != nil {
		return hostPolicy{}, nil, fmt.Errorf("webui: %w", err)
	}
	cop, err := newCrossOriginProtection(c.CORSOrigin)
	if err != nil {
		return hostPolicy{}, nil, fmt.Errorf("webui: %w", err)
	}
	return hosts, cop, nil
}

// New returns a Handler for cfg and starts its two event goroutines (one
// store subscription for the wait call, one for the websocket stream).
// It panics if cfg.Validate fails.
func New(cfg Config) *Handler {
	hosts, cop, err := cfg.policies()
	if err != nil {
		panic(err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.StartTime.IsZero() {
		cfg.StartTime = time.Now()
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	h := &Handler{
		cfg: cfg, store: cfg.Store, log: cfg.Logger, mux: http.NewServeMux(),
		hosts: hosts, cop: cop, static: staticFS(), stop: make(chan struct{}),
	}
	h.files = http.FileServerFS(h.static)
	h.waits = newWaitHub(cfg.Store, h.log, h.stop)
	h.events = newEventHub(cfg.Store, h.log, h.stop)
	h.wg.Add(2)
	go func() { defer h.wg.Done(); h.waits.run() }()
	go func() { defer h.wg.Done(); h.events.run() }()
	h.routes()
	return h
}

// routes is the one table of endpoints.
func (h *Handler) routes() {
	for _, r := range []struct {
		pattern string
		fn      http.HandlerFunc
	}{
		{"GET /api/v1/messages", h.list},
		{"GET /api/v1/messages/wait", h.wait},
		{"GET /api/v1/messages/{id}", h.message},
		{"GET /api/v1/messages/{id}/raw", h.raw},
		{"GET /api/v1/messages/{id}/parts/{part}", h.part},
		{"GET /api/v1/messages/{id}/html", h.html},
		{"POST /api/v1/messages", h.inject},
		{"PUT /api/v1/messages/{id}/read", h.setRead},
		{"DELETE /api/v1/messages/{id}", h.deleteOne},
		{"DELETE /api/v1/messages", h.deleteAll},
		{"GET /api/v1/mailboxes", h.mailboxes},
		{"GET /api/v1/events", h.eventStream},
		{"GET /api/v1/info", h.info},
		{"GET /healthz", h.healthz},
		{"GET /", h.serveStatic},
	} {
		h.mux.HandleFunc(r.pattern, r.fn)
	}
}

// ServeHTTP applies the Host and Origin checks and the CORS and security
// headers, then dispatches through the routes table. Requests the table
// does not match get a JSON 404 or 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setBaseHeaders(w)
	if r.URL.Path != "/healthz" && !h.hostAllowed(r.Host) {
		writeError(w, http.StatusForbidden, "host %q is not allowed (DNS rebinding protection; see --allowed-hosts)", r.Host)
		return
	}
	if h.cors(w, r) {
		return // a preflight, answered
	}
	if err := h.checkOrigin(r); err != nil {
		writeError(w, http.StatusForbidden, "cross-origin request refused: %v", err)
		return
	}
	if !isEventStream(r) {
		// The server has no WriteTimeout (see NewServer): bound each
		// response here; the wait call extends it, the websocket manages
		// its own deadlines after the upgrade.
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(responseWriteTimeout))
	}
	if _, pattern := h.mux.Handler(r); pattern == "" {
		// Unmatched: the mux would answer 404 or 405 in plain text.
		h.mux.ServeHTTP(&jsonErrorWriter{ResponseWriter: w}, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Close ends the event stream (every websocket gets a 1001 close frame),
// releases every waiting wait call with 503, and stops the handler's
// goroutines, waiting for them (about a second at most for a websocket
// that does not take its close frame). It is safe to call more than once;
// after it the handler still serves plain requests, but new websocket and
// wait calls get 503.
func (h *Handler) Close() {
	h.closeOnce.Do(func() {
		close(h.stop)
		h.wg.Wait()
		h.events.closeClients()
	})
}

// NewServer returns an http.Server for h with timeouts suited to it and
// h.Close registered to run on Shutdown. There is no ReadTimeout or
// WriteTimeout: they would cut off the websocket and long wait calls (and
// a server ReadTimeout cancels the request context of a running handler),
// so ServeHTTP bounds each response's write (2 min), the wait call extends
// that to its timeout, and POST bodies get a read deadline of their own.
// main.go serves it with srv.Serve(ln) and stops it with
// srv.Shutdown(ctx); after srv.Close (which skips the Shutdown hooks) it
// must call h.Close itself.
func NewServer(h *Handler) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelDebug),
	}
	srv.RegisterOnShutdown(h.Close)
	return srv
}

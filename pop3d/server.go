package pop3d

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"intray/internal/srvkit"
	"intray/memstore"
)

// Defaults for the zero values of Server's fields.
const (
	DefaultAddr        = "127.0.0.1:1110"
	DefaultTLSAddr     = "127.0.0.1:1995"
	DefaultMaxConns    = 500
	DefaultIdleTimeout = 10 * time.Minute // the RFC 1939 section 3 minimum
)

// handshakeTimeout bounds a TLS handshake (implicit TLS or STLS).
const handshakeTimeout = 30 * time.Second

// Store is what pop3d needs from the mail store; *memstore.Store satisfies
// it. login is the name the client logged in with; name is always
// memstore.Inbox.
type Store interface {
	// Snapshot returns the mailbox's counters and all its entries in UID
	// order.
	Snapshot(login, name string) (memstore.MailboxInfo, []memstore.Entry, error)
	// Entries returns the entries of the given ascending UIDs that still
	// exist.
	Entries(login, name string, uids []uint32) ([]memstore.Entry, error)
	// Remove removes the given ascending UIDs from the mailbox.
	Remove(login, name string, uids []uint32) ([]uint32, error)
}

// Server is a POP3 server. Set its fields before the first Serve or
// ListenAndServe and do not change them afterwards. The zero value of a
// limit means its default. All methods are safe for concurrent use; a
// Server must not be copied after first use.
type Server struct {
	// Addr is the TCP address ListenAndServe listens on; default
	// DefaultAddr, or DefaultTLSAddr with ImplicitTLS.
	Addr string
	// Hostname names the server in the greeting and the APOP timestamp;
	// default os.Hostname(), or "localhost" if that fails.
	Hostname string
	// TLSConfig enables STLS (RFC 2595) and, with ImplicitTLS, is used for
	// every connection (POP3S). Nil means no TLS.
	TLSConfig *tls.Config
	// ImplicitTLS makes every connection start with a TLS handshake
	// (POP3S, RFC 8314). It requires TLSConfig.
	ImplicitTLS bool
	// MaxConns is the maximum number of concurrent sessions; default
	// DefaultMaxConns; -1 means no limit. Connections over it get -ERR
	// with the SYS/TEMP response code and are closed.
	MaxConns int
	// IdleTimeout ends a session that sends no command for this long;
	// default DefaultIdleTimeout. It also bounds each reply's write.
	IdleTimeout time.Duration
	// Logger receives connection errors and internal failures; nil
	// discards them.
	Logger *slog.Logger
	// Store holds the mail. Required.
	Store Store
	// Passwords, when set, makes logins checked: it returns the password
	// of a user name as the client sent it (ok false: no such user), and
	// USER/PASS, APOP (the MD5 digest of the greeting's timestamp and the
	// password, RFC 1939 section 7) and AUTH PLAIN succeed only with that
	// password; other logins get -ERR with the AUTH response code (RFC
	// 3206) and the session goes on. Nil, the default, accepts any
	// password, APOP digest and PLAIN credentials. It is called from many
	// sessions at once and must be safe for concurrent use.
	Passwords func(user string) (password string, ok bool)

	once    sync.Once
	tracker srvkit.Tracker
	log     *slog.Logger
	host    string // Hostname or its default, set by init
}

// errNoTLSConfig is returned by Serve with ImplicitTLS and no TLSConfig.
var errNoTLSConfig = errors.New("pop3d: ImplicitTLS needs a TLSConfig")

// init sets the defaults once.
func (s *Server) init() {
	s.once.Do(func() {
		s.log = s.Logger
		if s.log == nil {
			s.log = slog.New(slog.DiscardHandler)
		}
		s.host = s.Hostname
		if s.host == "" {
			s.host, _ = os.Hostname()
		}
		if s.host == "" {
			s.host = "localhost"
		}
		s.tracker.MaxConns = s.MaxConns
		switch {
		case s.MaxConns == 0:
			s.tracker.MaxConns = DefaultMaxConns
		case s.MaxConns < 0:
			s.tracker.MaxConns = 0 // no limit
		}
		s.tracker.Refuse = s.refuse
		s.tracker.Logf = func(format string, args ...any) {
			s.log.Warn("pop3: "+format, args...)
		}
	})
}

// hostname returns Hostname or its default; init must have run.
func (s *Server) hostname() string { return s.host }

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout <= 0 {
		return DefaultIdleTimeout
	}
	return s.IdleTimeout
}

// ListenAndServe listens on s.Addr and calls Serve. It always returns a
// non-nil error; after Shutdown or Close, ErrServerClosed.
func (s *Server) ListenAndServe() error {
	ln, err := srvkit.Listen(s.Addr, DefaultAddr, DefaultTLSAddr, s.ImplicitTLS)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln and serves each in its own goroutine. It
// backs off on temporary accept errors, closes ln when it returns, and
// returns ErrServerClosed after Shutdown or Close. Serve may be called for
// several listeners.
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	if s.Store == nil {
		_ = ln.Close()
		return errors.New("pop3d: Server.Store is nil")
	}
	if s.ImplicitTLS && s.TLSConfig == nil {
		_ = ln.Close()
		return errNoTLSConfig
	}
	return s.tracker.Serve(ln, s.serveConn)
}

// Shutdown stops accepting, ends the sessions that wait for a command (they
// get -ERR with the SYS/TEMP response code and commit nothing), lets
// running commands finish and waits for every session or for ctx, whose
// error it then returns.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	return s.tracker.Shutdown(ctx)
}

// Close closes the listeners and every connection at once and waits for
// the sessions to return.
func (s *Server) Close() error {
	s.init()
	return s.tracker.Close()
}

// refuse answers a connection over MaxConns.
func (s *Server) refuse(nc net.Conn) {
	if s.ImplicitTLS {
		tc := tls.Server(nc, s.TLSConfig)
		if tc.Handshake() != nil {
			return
		}
		nc = tc
	}
	_, _ = nc.Write([]byte("-ERR [" + codeSysTemp + "] too many connections, try again later\r\n"))
}

// serveConn runs one session on a tracked connection.
func (s *Server) serveConn(sc *srvkit.Conn) {
	c := newConn(s, sc)
	c.serve()
}

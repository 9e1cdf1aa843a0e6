// Package smtpd is intray's SMTP server: it accepts any mail from any
// client and hands every message, with its envelope and the transcript of
// its transaction, to a Store.
//
// It implements:
//
//   - RFC 5321 SMTP: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, VRFY (252),
//     EXPN (502), HELP, QUIT; MAIL FROM:<>; source routes
//     (<@a,@b:joe@c>) accepted with the route ignored (appendix C); the
//     obsolete SEND, SOML, SAML and TURN answered 502. DATA ends only at
//     CRLF.CRLF: a bare LF or CR never ends it (no SMTP smuggling).
//   - RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 6531 SMTPUTF8, RFC 2920
//     PIPELINING, RFC 2034/3463 ENHANCEDSTATUSCODES, RFC 3030 CHUNKING
//     (BDAT, also pipelined; a refused BDAT, or any refusal between
//     chunks, ends the transaction and says so), RFC 3207 STARTTLS, RFC 8314 implicit TLS
//     (Server.ImplicitTLS), RFC 4954 AUTH with RFC 4616 PLAIN, LOGIN and
//     RFC 2195 CRAM-MD5, with or without an initial response. Every
//     credential is accepted; the user name is recorded (a name with a
//     control byte is refused as malformed).
//
// The stored bytes are exactly the bytes the client sent after
// dot-unstuffing; no Received header is added.
//
// Left out on purpose: relaying and delivery (everything is captured),
// DSN (RFC 3461), BINARYMIME, REQUIRETLS, ETRN, VRFY/EXPN answers, reverse
// DNS or any other network call on the connection path, and SMTP
// authentication that can fail.
package smtpd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"intray/internal/srvkit"
	"intray/memstore"
)

// Defaults for the zero values of Server's fields.
const (
	DefaultAddr           = "127.0.0.1:1025"
	DefaultAddrTLS        = "127.0.0.1:1465" // when ImplicitTLS is set
	DefaultMaxMessageSize = 25 << 20         // 25 MiB, advertised as SIZE
	DefaultMaxRecipients  = 1000
	DefaultMaxConns       = 500
	DefaultIdleTimeout    = 5 * time.Minute // RFC 5321 4.5.3.2.7 server timeout
)

// Store is what the server needs from the mail store; *memstore.Store
// satisfies it. Add copies raw and must be safe for concurrent
// use. It may return memstore.ErrTooLarge (answered 552) or any other error
// (answered 451).
type Store interface {
	// Add stores a message. It must copy raw: the session reuses its
	// buffer for the next message.
	Add(env memstore.Envelope, raw []byte) (*memstore.Message, error)
}

// Server is an SMTP server that delivers into a Store. Set the fields before
// the first Serve and leave them alone afterwards; zero values take the
// defaults above. A Server must not be copied after first use. Serve,
// Shutdown and Close are safe for concurrent use.
type Server struct {
	Addr      string      // ListenAndServe address; default DefaultAddr (DefaultAddrTLS with ImplicitTLS)
	Hostname  string      // name in the greeting and EHLO; default os.Hostname() or "localhost"
	TLSConfig *tls.Config // enables STARTTLS; required for ImplicitTLS
	// ImplicitTLS makes every connection start with a TLS handshake
	// (SMTPS, RFC 8314) instead of offering STARTTLS.
	ImplicitTLS    bool
	MaxMessageSize int64         // bytes per message; default DefaultMaxMessageSize
	MaxRecipients  int           // RCPT per transaction; default DefaultMaxRecipients
	MaxConns       int           // simultaneous sessions; default DefaultMaxConns; -1 means no limit
	IdleTimeout    time.Duration // how long a client may stay silent; DefaultIdleTimeout if zero or negative
	Logger         *slog.Logger  // default: discard
	Store          Store         // where messages go; required

	initOnce  sync.Once
	cfg       config // resolved configuration, set by init
	track     srvkit.Tracker
	bufs      sync.Pool     // *connBufs of ended sessions
	challenge atomic.Uint64 // makes CRAM-MD5 challenges unique
}

// config is the Server's configuration with defaults applied and the
// replies that depend on it prepared once.
type config struct {
	hostname      string
	maxSize       int64
	maxRcpts      int
	idle          time.Duration
	log           *slog.Logger
	greeting      string // 220 line
	ehlo, ehloTLS string // EHLO reply before and after TLS
}

// init resolves the configuration once.
func (s *Server) init() {
	s.initOnce.Do(func() {
		c := &s.cfg
		c.hostname = s.Hostname
		if c.hostname == "" {
			c.hostname, _ = os.Hostname()
		}
		if c.hostname == "" {
			c.hostname = "localhost"
		}
		c.maxSize = orDefault(s.MaxMessageSize, DefaultMaxMessageSize)
		c.maxRcpts = orDefault(s.MaxRecipients, DefaultMaxRecipients)
		c.idle = s.IdleTimeout
		if c.idle <= 0 { // as pop3d and imapd: zero or negative means the default
			c.idle = DefaultIdleTimeout
		}
		c.log = s.Logger
		if c.log == nil {
			c.log = slog.New(slog.DiscardHandler)
		}
		c.greeting = "220 " + c.hostname + " ESMTP intray\r\n"
		c.ehlo = ehloReply(c.hostname, c.maxSize, s.TLSConfig != nil && !s.ImplicitTLS)
		c.ehloTLS = ehloReply(c.hostname, c.maxSize, false)

		s.track.MaxConns = orDefault(s.MaxConns, DefaultMaxConns)
		if s.track.MaxConns < 0 {
			s.track.MaxConns = 0
		}
		s.track.Refuse = s.refuse
		s.track.Logf = func(format string, args ...any) {
			c.log.Warn("smtp: " + fmt.Sprintf(format, args...))
		}
	})
}

func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

func (s *Server) logger() *slog.Logger { return s.cfg.log }

// Serve accepts connections on ln and serves each in its own goroutine. It
// returns ErrServerClosed after Shutdown or Close, or the error that made
// Accept fail for good. Serve closes ln when it returns. Serve may be called
// for several listeners.
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	if s.Store == nil {
		_ = ln.Close()
		return errors.New("smtpd: Server.Store is nil")
	}
	if s.ImplicitTLS && s.TLSConfig == nil {
		_ = ln.Close()
		return errors.New("smtpd: ImplicitTLS needs a TLSConfig")
	}
	return s.track.Serve(ln, s.handle)
}

// ListenAndServe listens on TCP address s.Addr and calls Serve.
func (s *Server) ListenAndServe() error {
	if s.track.ShuttingDown() {
		return ErrServerClosed
	}
	ln, err := srvkit.Listen(s.Addr, DefaultAddr, DefaultAddrTLS, s.ImplicitTLS)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Shutdown stops the server gracefully: it closes the listeners, tells
// every session that is waiting for a command "421 4.3.2 Service shutting
// down" and closes it, lets sessions busy with a command (a DATA transfer,
// say) finish that command and then says the same, and waits for all of
// them to end or for ctx to be done (returning ctx.Err(); call Close then).
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	return s.track.Shutdown(ctx)
}

// Close closes the listeners and every connection at once, without a
// goodbye, and waits for the session goroutines to return.
func (s *Server) Close() error {
	s.init()
	return s.track.Close()
}

// refuse answers a connection over MaxConns.
func (s *Server) refuse(nc net.Conn) {
	if s.ImplicitTLS {
		nc = tls.Server(nc, s.TLSConfig)
	}
	_, _ = nc.Write([]byte(replyTooBusy))
}

// handle runs one session; the tracker closes the connection afterwards.
func (s *Server) handle(tc *srvkit.Conn) {
	c := newConn(s, tc)
	defer c.release()
	s.logger().Debug("smtp session start", "remote", c.remote)
	defer s.logger().Debug("smtp session end", "remote", c.remote)
	defer func() {
		if r := recover(); r != nil {
			s.logger().Error("smtp session panic", "remote", c.remote, "panic", r, "stack", string(stack()))
			c.writeNow(replyInternal)
		}
	}()
	if s.ImplicitTLS && !c.startTLS() {
		return
	}
	c.serve()
}

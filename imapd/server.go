// Package imapd implements intray's IMAP server: IMAP4rev1 (RFC 3501) over
// memstore, with IDLE (RFC 2177), UIDPLUS (RFC 4315), MOVE (RFC 6851),
// NAMESPACE (RFC 2342), ID (RFC 2971), UNSELECT (RFC 3691), LITERAL+ (RFC
// 7888), ENABLE (RFC 5161), SPECIAL-USE (RFC 6154), CHILDREN (RFC 3348),
// SASL-IR (RFC 4959), AUTHENTICATE PLAIN (RFC 4616) and STARTTLS.
//
// Any password is accepted unless Server.Passwords is set; then LOGIN and
// AUTHENTICATE PLAIN are checked against it. A login name containing '@' opens that
// recipient's mailboxes; any other name opens the catch-all user, whose INBOX
// is every message (see memstore.UserKey).
//
// A selected session keeps its own view of the mailbox (view.go): it maps
// sequence numbers to UIDs, follows the store's events and reports them as
// untagged EXISTS, RECENT, EXPUNGE and FETCH (FLAGS) responses at safe points:
// after a command's own responses, never EXPUNGE during FETCH, STORE or
// SEARCH (RFC 3501 7.4.1), and at once during IDLE. A session follows only
// the events of its own user's mailboxes. If its selected mailbox is
// deleted (by any session) or, after its events lagged, can no longer be
// found by its ID with the same UIDVALIDITY, every command but CLOSE,
// UNSELECT and LOGOUT is answered with "* BYE" and the connection is closed
// (RFC 3501 7.1.5; Dovecot does the same), at once during IDLE: the
// session's UIDs would otherwise reach whatever mailbox has the name now.
// STORE on a message that another session expunged and that has not been
// announced yet leaves it out of the FETCH responses and still ends with OK
// (RFC 2180 4.2.1).
//
// SEARCH BODY matches decoded text: the text/* leaves of the MIME tree
// after transfer and charset decoding, never boundaries, part headers or
// other parts such as base64 attachments; TEXT also matches the decoded
// header values of the message and of encapsulated messages (not field
// names, not MIME part headers).
//
// LIST also takes the RFC 5258 selection options SUBSCRIBED, REMOTE and
// SPECIAL-USE, the return options SUBSCRIBED, CHILDREN, SPECIAL-USE and
// STATUS (RFC 5819) and a list of patterns, since clients such as go-imap's
// send them; LIST-EXTENDED and LIST-STATUS are not announced, and
// RECURSIVEMATCH (which needs CHILDINFO) is refused.
//
// Mailbox names are stored and listed exactly as the client sends them: no
// modified UTF-7 (RFC 3501 5.1.3) decoding or encoding. A client that
// encodes "Entwürfe" as "Entw&APw-rfe" gets that name back byte for byte;
// the web UI and API show it in that form too.
//
// Left out on purpose: IMAP4rev2, CONDSTORE/QRESYNC, BINARY, MULTIAPPEND,
// LIST-EXTENDED's RECURSIVEMATCH and CHILDINFO, SORT/THREAD and any SASL
// mechanism but PLAIN. LOGINDISABLED is never announced: intray is a
// sandbox that accepts logins with or without TLS.
package imapd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"intray/internal/srvkit"
)

// Defaults for the zero values of Server's fields.
const (
	DefaultAddr     = "127.0.0.1:1143"
	DefaultTLSAddr  = "127.0.0.1:1993" // with ImplicitTLS
	DefaultMaxConns = 500
	// DefaultIdleTimeout is the autologout timer: RFC 3501 5.4 requires at
	// least 30 minutes of inactivity before a server may log a client out
	// (and RFC 2177 applies it to IDLE too).
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultMaxLiteral caps an APPEND literal: the largest message intray
	// accepts (25 MiB, as the SMTP SIZE default).
	DefaultMaxLiteral = 25 << 20
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close.
var ErrServerClosed = srvkit.ErrServerClosed

// Server is an IMAP server. Set its fields before calling Serve or
// ListenAndServe and do not change them afterwards. The zero value of each
// limit means its default. A Server must not be copied after first use; its
// methods are safe for concurrent use.
type Server struct {
	Addr     string // TCP address for ListenAndServe; DefaultAddr (DefaultTLSAddr with ImplicitTLS) if empty
	Hostname string // announced in the greeting; "intray" if empty
	// TLSConfig enables STARTTLS (and is required with ImplicitTLS). nil
	// means no TLS: STARTTLS is not announced.
	TLSConfig *tls.Config
	// ImplicitTLS makes every connection start with a TLS handshake (IMAPS,
	// port 993 style).
	ImplicitTLS bool
	MaxConns    int           // concurrent sessions; DefaultMaxConns if 0
	IdleTimeout time.Duration // autologout; DefaultIdleTimeout if 0
	MaxLiteral  int64         // largest APPEND message; DefaultMaxLiteral if 0
	Logger      *slog.Logger  // nil discards logs
	Store       Store         // the mail store; required
	// Passwords, when set, makes logins checked: it returns the password
	// of a user name as the client sent it (ok false: no such user), and
	// LOGIN and AUTHENTICATE PLAIN succeed only with that password; other
	// logins get NO [AUTHENTICATIONFAILED], which counts towards the
	// bad-command limit, and the session goes on. Nil, the default,
	// accepts any password. It is called from many sessions at once and
	// must be safe for concurrent use.
	Passwords func(user string) (password string, ok bool)

	tracker srvkit.Tracker
	// testHook, when set, is called by a session with the name of each
	// point it reaches ("idle" when IDLE has been acknowledged), so a test
	// can wait for it instead of sleeping.
	testHook func(string)
}

// ListenAndServe listens on s.Addr and serves until Shutdown or Close, then
// returns ErrServerClosed.
func (s *Server) ListenAndServe() error {
	ln, err := srvkit.Listen(s.Addr, DefaultAddr, DefaultTLSAddr, s.ImplicitTLS)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln, each served in its own goroutine, until
// Shutdown or Close (it then returns ErrServerClosed) or a permanent accept
// error. Temporary accept errors are retried with back-off. Serve closes ln.
func (s *Server) Serve(ln net.Listener) error {
	if s.Store == nil {
		_ = ln.Close()
		return errors.New("imapd: Server.Store is nil")
	}
	if s.ImplicitTLS && s.TLSConfig == nil {
		_ = ln.Close()
		return errors.New("imapd: ImplicitTLS without TLSConfig")
	}
	s.tracker.MaxConns = s.maxConns()
	s.tracker.Refuse = s.refuse
	s.tracker.Logf = func(format string, args ...any) {
		s.logger().Warn("imap accept", "detail", fmt.Sprintf(format, args...))
	}
	return s.tracker.Serve(ln, s.serveConn)
}

// Shutdown stops accepting, tells every session waiting for a command
// "* BYE", lets busy sessions finish their command, and waits for all of
// them or for ctx (returning ctx.Err(); Close ends the rest).
func (s *Server) Shutdown(ctx context.Context) error { return s.tracker.Shutdown(ctx) }

// Close closes the listeners and every connection at once and waits for
// the sessions to end.
func (s *Server) Close() error { return s.tracker.Close() }

// refuse answers a connection over MaxConns.
func (s *Server) refuse(nc net.Conn) {
	_, _ = nc.Write([]byte("* BYE [UNAVAILABLE] Too many connections, try again later\r\n"))
}

func (s *Server) maxConns() int {
	if s.MaxConns > 0 {
		return s.MaxConns
	}
	return DefaultMaxConns
}

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return DefaultIdleTimeout
}

func (s *Server) maxLiteral() int64 {
	if s.MaxLiteral > 0 {
		return s.MaxLiteral
	}
	return DefaultMaxLiteral
}

func (s *Server) hostname() string {
	if s.Hostname != "" {
		return s.Hostname
	}
	return "intray"
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Server) hook(point string) {
	if s.testHook != nil {
		s.testHook(point)
	}
}

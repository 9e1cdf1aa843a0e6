// Package srvkit holds the plumbing that intray's line-oriented protocol
// servers (SMTP, POP3) share: a connection tracker with an accept loop and
// graceful shutdown (Tracker, Conn), a server TLS handshake that shutdown
// can interrupt (Conn.Handshake), and a bounded line reader (LineReader).
//
// The shutdown model follows net/http: Shutdown closes the listeners, ends
// the sessions that are waiting for a command, lets busy sessions finish the
// command they are running, and waits for all of them or for the context.
// A session "says goodbye" itself (421, -ERR, * BYE): the tracker only wakes
// it up by expiring its read deadline.
package srvkit

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrServerClosed is returned by Tracker.Serve (and the servers' Serve and
// ListenAndServe) after Shutdown or Close.
var ErrServerClosed = errors.New("server closed")

// ErrShuttingDown is returned by Conn.ArmRead when the tracker has ended the
// connection's wait for input: the session should say goodbye and return.
var ErrShuttingDown = errors.New("server shutting down")

// refuseTimeout bounds how long a Refuse hook may take to say no.
const refuseTimeout = 5 * time.Second

// Connection states, kept in Conn.state.
const (
	connBusy    int32 = iota // running a command; Shutdown waits for it
	connIdle                 // waiting for a command; Shutdown wakes it
	connClosing              // woken by Shutdown; reads fail from now on
)

// Tracker counts and tracks the live connections of one server, enforces a
// maximum, runs accept loops (Serve) and shuts them all down (Shutdown,
// Close). The zero value is ready to use; set the exported fields before the
// first Serve and do not change them afterwards. A Tracker must not be
// copied after first use. All methods are safe for concurrent use.
type Tracker struct {
	// MaxConns is the maximum number of live sessions; 0 means no limit.
	MaxConns int
	// Refuse, if set, is called for a connection accepted over MaxConns, in
	// its own goroutine and with a write deadline already set, so it can
	// write a polite refusal (for example "421 too busy"). The tracker closes
	// the connection when Refuse returns. Without Refuse such connections
	// are closed at once.
	Refuse func(net.Conn)
	// Logf, if set, reports accept errors that are retried.
	Logf func(format string, args ...any)

	closing atomic.Bool // set once by Shutdown or Close; never cleared

	mu        sync.Mutex
	listeners map[*net.Listener]struct{} // open listeners, closed on shutdown
	conns     map[*Conn]struct{}         // live sessions, including refusals
	sessions  int                        // members of conns that are sessions, not refusals
	done      chan struct{}              // closed when closing is set
	drained   chan struct{}              // closed when closing and conns is empty
}

// Conn is the tracker's handle on one accepted connection. It embeds the
// accepted net.Conn; a session may wrap it further (TLS) but must keep using
// Conn's methods to mark itself idle or busy and to arm read deadlines, so
// that Shutdown can interrupt it without racing the session's own deadlines.
type Conn struct {
	net.Conn
	t       *Tracker
	state   atomic.Int32
	refusal bool // never a session; only closed by Close
}

// Idle marks the session as waiting for its next command, which Shutdown may
// interrupt. It reports false when the server is shutting down: the session
// should then say goodbye and return instead of reading.
func (c *Conn) Idle() bool {
	if !c.state.CompareAndSwap(connBusy, connIdle) && c.state.Load() != connIdle {
		return false
	}
	// Shutdown sets closing before it scans, and the CAS above happened
	// before this load, so either Shutdown sees us idle or we see it here.
	return !c.t.closing.Load()
}

// Busy marks the session as running a command, which Shutdown waits for.
// It reports false when Shutdown has already interrupted the wait: the
// session should say goodbye without running the command.
func (c *Conn) Busy() bool {
	return c.state.CompareAndSwap(connIdle, connBusy) || c.state.Load() == connBusy
}

// ArmRead sets the read deadline to now plus d (no deadline when d <= 0)
// and reports ErrShuttingDown if Shutdown has interrupted the connection.
// Call it before every blocking read instead of SetReadDeadline, so a
// deadline set by the session can never undo Shutdown's wake-up.
func (c *Conn) ArmRead(d time.Duration) error {
	var t time.Time
	if d > 0 {
		t = time.Now().Add(d)
	}
	if err := c.Conn.SetReadDeadline(t); err != nil {
		return err
	}
	if c.state.Load() == connClosing {
		return ErrShuttingDown
	}
	return nil
}

// ShuttingDown reports whether Shutdown or Close has been called. A session
// that sees a read deadline expire uses it to tell a shutdown from an idle
// timeout.
func (c *Conn) ShuttingDown() bool { return c.t.closing.Load() }

// ShuttingDown reports whether Shutdown or Close has been called.
func (t *Tracker) ShuttingDown() bool { return t.closing.Load() }

// Len returns the number of live sessions (refusals not counted).
func (t *Tracker) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sessions
}

// Shutdown closes every listener, wakes the sessions that are waiting for a
// command (they say goodbye and end), and waits until every session has
// ended or ctx is done, in which case it returns ctx.Err() and leaves the
// remaining sessions running (call Close to end them). Later Serve calls
// return ErrServerClosed at once.
func (t *Tracker) Shutdown(ctx context.Context) error {
	drained, err := t.beginClose()
	t.mu.Lock()
	for c := range t.conns {
		if c.state.CompareAndSwap(connIdle, connClosing) {
			// A deadline in the past fails the pending read at once.
			_ = c.Conn.SetReadDeadline(time.Unix(1, 0))
		}
	}
	t.mu.Unlock()
	select {
	case <-drained:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close closes every listener and every connection at once, then waits for
// the session goroutines to return (a closed connection makes their reads
// and writes fail). It returns the first error from closing a listener.
func (t *Tracker) Close() error {
	drained, err := t.beginClose()
	t.mu.Lock()
	for c := range t.conns {
		c.state.Store(connClosing)
		_ = c.Conn.Close()
	}
	t.mu.Unlock()
	<-drained
	return err
}

// beginClose marks the tracker closing, closes its listeners and returns the
// channel that is closed once no connection is left, and the first error
// from closing a listener.
func (t *Tracker) beginClose() (<-chan struct{}, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.initLocked()
	var err error
	if t.closing.CompareAndSwap(false, true) {
		close(t.done)
		t.drainedCheckLocked()
	}
	for ln := range t.listeners {
		if cerr := (*ln).Close(); cerr != nil && err == nil {
			err = cerr
		}
		delete(t.listeners, ln)
	}
	return t.drained, err
}

// initLocked allocates the tracker's maps and channels on first use.
func (t *Tracker) initLocked() {
	if t.conns == nil {
		t.conns = make(map[*Conn]struct{})
		t.listeners = make(map[*net.Listener]struct{})
		t.done = make(chan struct{})
		t.drained = make(chan struct{})
	}
}

// drainedCheckLocked closes drained once the tracker is closing and empty.
func (t *Tracker) drainedCheckLocked() {
	if t.closing.Load() && len(t.conns) == 0 {
		select {
		case <-t.drained:
		default:
			close(t.drained)
		}
	}
}

// add registers an accepted connection. It returns nil when the tracker is
// closing (the caller closes nc), and a refusal Conn when MaxConns is
// reached and a Refuse hook can run.
func (t *Tracker) add(nc net.Conn) *Conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.initLocked()
	if t.closing.Load() {
		return nil
	}
	c := &Conn{Conn: nc, t: t}
	if t.MaxConns > 0 && t.sessions >= t.MaxConns {
		// Bound the refusals too, so a flood cannot pile up goroutines.
		if t.Refuse == nil || len(t.conns)-t.sessions >= t.MaxConns {
			return nil
		}
		c.refusal = true
	} else {
		t.sessions++
	}
	t.conns[c] = struct{}{}
	return c
}

// remove unregisters c and closes it.
func (t *Tracker) remove(c *Conn) {
	_ = c.Conn.Close()
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.conns, c)
	if !c.refusal {
		t.sessions--
	}
	t.drainedCheckLocked()
}

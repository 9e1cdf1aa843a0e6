package srvkit

import (
	"errors"
	"net"
	"time"
)

// Accept-error back-off bounds, as in net/http.
const (
	minAcceptDelay = 5 * time.Millisecond
	maxAcceptDelay = time.Second
)

// Serve accepts connections on ln and runs handle for each in its own
// goroutine, until the tracker is shut down (it then returns ErrServerClosed)
// or Accept fails with a permanent error (returned as is). Temporary accept
// errors (such as EMFILE) are retried with a growing delay of 5 ms up to 1 s.
// Serve closes ln when it returns. The connection is closed and forgotten
// when handle returns; handle must not keep it.
//
// Connections over MaxConns are given to Refuse instead of handle.
func (t *Tracker) Serve(ln net.Listener, handle func(*Conn)) error {
	if !t.trackListener(&ln, true) {
		_ = ln.Close()
		return ErrServerClosed
	}
	defer t.trackListener(&ln, false)
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if t.closing.Load() {
				return ErrServerClosed
			}
			if !isTemporary(err) {
				return err
			}
			delay = min(max(2*delay, minAcceptDelay), maxAcceptDelay)
			if t.Logf != nil {
				t.Logf("accept error: %v; retrying in %v", err, delay)
			}
			if !t.wait(delay) {
				return ErrServerClosed
			}
			continue
		}
		delay = 0
		t.start(nc, handle)
	}
}

// start registers nc and runs its handler, or its refusal, in a goroutine.
func (t *Tracker) start(nc net.Conn, handle func(*Conn)) {
	c := t.add(nc) // counted before the goroutine starts
	if c == nil {
		_ = nc.Close()
		return
	}
	if c.refusal {
		go func() {
			defer t.remove(c)
			_ = nc.SetDeadline(time.Now().Add(refuseTimeout))
			t.Refuse(nc)
		}()
		return
	}
	go func() {
		defer t.remove(c)
		handle(c)
	}()
}

// trackListener adds or removes ln from the set Shutdown closes. Adding
// fails once the tracker is closing.
func (t *Tracker) trackListener(ln *net.Listener, add bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.initLocked()
	if !add {
		delete(t.listeners, ln)
		_ = (*ln).Close()
		return true
	}
	if t.closing.Load() {
		return false
	}
	t.listeners[ln] = struct{}{}
	return true
}

// wait sleeps for d and reports false if the tracker began closing meanwhile.
func (t *Tracker) wait(d time.Duration) bool {
	t.mu.Lock()
	t.initLocked()
	done := t.done
	t.mu.Unlock()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-done:
		return false
	}
}

// isTemporary reports whether an accept error is worth retrying.
func isTemporary(err error) bool {
	var te interface{ Temporary() bool }
	return errors.As(err, &te) && te.Temporary()
}

// Listen listens on TCP address addr for a server's ListenAndServe; an
// empty addr means the server's default, tlsDef for an implicit-TLS
// listener.
func Listen(addr, def, tlsDef string, implicitTLS bool) (net.Listener, error) {
	if addr == "" {
		addr = def
		if implicitTLS {
			addr = tlsDef
		}
	}
	return net.Listen("tcp", addr)
}

package srvkit

import (
	"crypto/tls"
	"time"
)

// Handshake runs the server side of a TLS handshake with cfg on the
// accepted connection (implicit TLS, or after STARTTLS/STLS) and returns
// the TLS connection to use from then on. Its reads and writes are bounded
// by timeout (no bound when timeout <= 0). The handshake waits for the
// client, so the connection is marked idle meanwhile: Shutdown interrupts
// it as it interrupts a wait for a command, and Handshake then returns
// ErrShuttingDown, as it does if the server is already shutting down. The
// connection is busy again when Handshake returns. Deadlines are left as
// the handshake set them; the session arms its own before its next read
// and write.
func (c *Conn) Handshake(cfg *tls.Config, timeout time.Duration) (*tls.Conn, error) {
	if !c.Idle() {
		return nil, ErrShuttingDown
	}
	tc := tls.Server(c.Conn, cfg)
	err := c.ArmRead(timeout)
	if err == nil {
		var t time.Time
		if timeout > 0 {
			t = time.Now().Add(timeout)
		}
		_ = c.Conn.SetWriteDeadline(t)
		err = tc.Handshake()
	}
	if !c.Busy() {
		return nil, ErrShuttingDown
	}
	if err != nil {
		return nil, err
	}
	return tc, nil
}

package srvkit

import (
	"io"
	"net"
	"os"
	"syscall"
)

// FlushReader reads a session's input from Conn and writes its pending
// replies (Flush) only when nothing is waiting to be read: replies to
// pipelined commands then leave in one write, when the client has stopped
// sending, instead of one write per read (RFC 2920 3.1 lets a server hold
// its replies this way). On a socket this costs no extra system call: the
// read that finds nothing is the one that would have parked the goroutine
// anyway. A connection that is not a socket, such as a *tls.Conn, cannot
// tell, so replies are flushed before it is read.
//
// Deadlines set on Conn apply as to Conn.Read; reading zero bytes at the
// end of the stream gives io.EOF; an error from Flush is returned as is.
// One FlushReader serves one session and is not safe for concurrent use;
// its Read does not allocate.
type FlushReader struct {
	Conn    net.Conn     // the connection; may be replaced, as after STARTTLS
	Pending func() bool  // reports whether replies wait to be written
	Flush   func() error // writes them

	rawOf net.Conn        // the Conn rc was taken from
	rc    syscall.RawConn // nil when rawOf is not a socket
	fn    func(fd uintptr) bool

	// The state of one socket read, for fn.
	p          []byte
	n          int
	rerr, ferr error
	flushed    bool
}

// Read reads into p, flushing pending replies first only if nothing is
// waiting to be read.
func (r *FlushReader) Read(p []byte) (int, error) {
	if len(p) == 0 || r.Pending == nil || !r.Pending() {
		return r.Conn.Read(p)
	}
	if r.rawOf != r.Conn {
		r.rawOf, r.rc = r.Conn, nil
		if sc, ok := r.Conn.(syscall.Conn); ok && socketReads {
			if rc, err := sc.SyscallConn(); err == nil {
				r.rc = rc
			}
		}
	}
	if r.rc == nil {
		if err := r.Flush(); err != nil {
			return 0, err
		}
		return r.Conn.Read(p)
	}
	if r.fn == nil {
		r.fn = r.readFD
	}
	r.p, r.n, r.rerr, r.ferr, r.flushed = p, 0, nil, nil, false
	err := r.rc.Read(r.fn)
	n, rerr, ferr := r.n, r.rerr, r.ferr
	r.p, r.rerr, r.ferr = nil, nil, nil
	switch {
	case ferr != nil:
		return 0, ferr
	case err != nil: // a deadline, or the connection closed
		return 0, r.opError(err)
	case rerr != nil:
		return 0, r.opError(os.NewSyscallError("read", rerr))
	case n <= 0:
		return 0, io.EOF
	}
	return n, nil
}

// afterEAGAIN runs when a socket read found nothing: it flushes the
// replies, once per Read, and reports whether the read is over (on a
// flush error) rather than to wait for input.
func (r *FlushReader) afterEAGAIN() bool {
	if r.flushed {
		return false
	}
	r.flushed = true
	r.ferr = r.Flush()
	return r.ferr != nil
}

func (r *FlushReader) opError(err error) error {
	return &net.OpError{Op: "read", Net: r.Conn.LocalAddr().Network(), Source: r.Conn.LocalAddr(), Addr: r.Conn.RemoteAddr(), Err: err}
}

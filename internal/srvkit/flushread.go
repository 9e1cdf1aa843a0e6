//go:build unix

package srvkit

import (
	"io"
	"net"
	"os"
	"syscall"
)

// ReadFlushing reads into p from nc, calling flush (when not nil) only if
// nothing is waiting to be read: replies to pipelined commands then leave in
// one write, when the client has stopped sending, instead of one write per
// read (RFC 2920 3.1 lets a server hold its replies this way). On a socket
// this costs no extra system call: the read that finds nothing is the one
// that would have parked the goroutine anyway. A connection that is not a
// socket, such as a *tls.Conn, cannot tell, so flush is called first.
//
// Deadlines set on nc apply as to nc.Read. A read of zero bytes at the end
// of the stream returns io.EOF. An error from flush is returned as is.
func ReadFlushing(nc net.Conn, p []byte, flush func() error) (int, error) {
	if flush == nil || len(p) == 0 {
		return nc.Read(p)
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		if err := flush(); err != nil {
			return 0, err
		}
		return nc.Read(p)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		if err := flush(); err != nil {
			return 0, err
		}
		return nc.Read(p)
	}
	var (
		n          int
		rerr, ferr error
		flushed    bool
	)
	err = rc.Read(func(fd uintptr) bool {
		for {
			n, rerr = syscall.Read(int(fd), p)
			if rerr != syscall.EINTR {
				break
			}
		}
		if rerr != syscall.EAGAIN {
			return true
		}
		if !flushed {
			flushed = true
			if ferr = flush(); ferr != nil {
				return true
			}
		}
		return false // wait until readable, then read again
	})
	switch {
	case ferr != nil:
		return 0, ferr
	case err != nil: // a deadline, or the connection closed
		return 0, &net.OpError{Op: "read", Net: nc.LocalAddr().Network(), Source: nc.LocalAddr(), Addr: nc.RemoteAddr(), Err: err}
	case rerr != nil:
		return 0, &net.OpError{Op: "read", Net: nc.LocalAddr().Network(), Source: nc.LocalAddr(), Addr: nc.RemoteAddr(), Err: os.NewSyscallError("read", rerr)}
	case n <= 0:
		return 0, io.EOF
	}
	return n, nil
}

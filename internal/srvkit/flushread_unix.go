//go:build unix

package srvkit

import "syscall"

// socketReads: a socket can be read without blocking here (readFD).
const socketReads = true

// readFD is the callback of one socket read: it reads, and on EAGAIN
// flushes the replies and asks to wait for input (see FlushReader.Read).
func (r *FlushReader) readFD(fd uintptr) bool {
	for {
		r.n, r.rerr = syscall.Read(int(fd), r.p)
		if r.rerr != syscall.EINTR {
			break
		}
	}
	if r.rerr != syscall.EAGAIN {
		return true
	}
	r.rerr = nil
	return r.afterEAGAIN()
}

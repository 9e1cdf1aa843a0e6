//go:build !unix

package srvkit

// socketReads: sockets are read through net.Conn here, so replies are
// flushed before every read.
const socketReads = false

// readFD is never called where socketReads is false.
func (r *FlushReader) readFD(uintptr) bool { return true }

//go:build !unix

package srvkit

import "net"

// ReadFlushing calls flush (when not nil) and then reads into p from nc.
// Where the socket cannot be read without blocking (see the unix version),
// replies are flushed before every read.
func ReadFlushing(nc net.Conn, p []byte, flush func() error) (int, error) {
	if flush != nil && len(p) > 0 {
		if err := flush(); err != nil {
			return 0, err
		}
	}
	return nc.Read(p)
}

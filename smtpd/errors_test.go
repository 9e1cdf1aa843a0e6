package smtpd

import (
	"errors"
	"fmt"
	"testing"

	"intray/memstore"
)

// panicStore panics in Add, to exercise the per-connection recover.
type panicStore struct{}

func (panicStore) Add(memstore.Envelope, []byte) (*memstore.Message, error) { panic("boom") }

func TestStoreErrors(t *testing.T) {
	_, store, addr := startServer(t, nil)
	c := dial(t, addr)
	for _, tt := range []struct {
		err  error
		want string
	}{
		{memstore.ErrTooLarge, "552 5.3.4 Message size exceeds fixed limit\r\n"},
		{errors.New("disk on fire"), "451 4.3.0 Local error in processing\r\n"},
		{fmt.Errorf("wrapped: %w", memstore.ErrTooLarge), "552 5.3.4 Message size exceeds fixed limit\r\n"},
	} {
		store.mu.Lock()
		store.err = tt.err
		store.mu.Unlock()
		c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 1 LAST\r\nx",
			"250 2.1.0 OK\r\n250 2.1.5 OK\r\n"+tt.want)
		c.expect("RCPT TO:<b@x>\r\n", "503 5.5.1 Need MAIL first\r\n") // the transaction is over
	}
}

func TestTooManyErrors(t *testing.T) {
	_, _, addr := startServer(t, nil)
	c := dial(t, addr)
	for range maxErrors - 1 {
		c.expect("BOGUS\r\n", "500 5.5.1 Command unrecognized\r\n")
	}
	c.expect("NOOP\r\n", "250 2.0.0 OK\r\n") // a success resets the count
	for range maxErrors - 1 {
		c.expect("BOGUS\r\n", "500 5.5.1 Command unrecognized\r\n")
	}
	c.expect("BOGUS\r\n", "500 5.5.1 Command unrecognized\r\n"+
		"421 4.7.0 Too many errors, closing connection\r\n<EOF>")
}

func TestPanicRecovered(t *testing.T) {
	_, _, addr := startServer(t, func(s *Server) { s.Store = panicStore{} })
	c := dial(t, addr)
	c.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nBDAT 1 LAST\r\nx",
		"250 2.1.0 OK\r\n250 2.1.5 OK\r\n421 4.3.0 Internal error, closing connection\r\n<EOF>")
	// The server is still up.
	dial(t, addr).expect("NOOP\r\n", "250 2.0.0 OK\r\n")
}

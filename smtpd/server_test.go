package smtpd

import (
	"context"
	"errors"
	"net"
	"testing"
)

func TestShutdownGoodbye(t *testing.T) {
	s, store, addr := startServer(t, nil)
	store.wake, store.hold = make(chan struct{}), make(chan struct{})
	idle := dial(t, addr)
	busy := dial(t, addr)
	busy.expect("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n",
		"250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n")
	busy.nc.Write([]byte("hello\r\n.\r\n"))
	<-store.wake // the busy session is inside Add until hold is closed

	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	idle.expect("", "421 4.3.2 Service shutting down\r\n<EOF>")
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v while a session was busy", err)
	default:
	}
	close(store.hold)
	busy.expect("", "250 2.0.0 OK: queued\r\n421 4.3.2 Service shutting down\r\n<EOF>")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("still listening after Shutdown")
	}
}

func TestMaxConns(t *testing.T) {
	_, _, addr := startServer(t, func(s *Server) { s.MaxConns = 1 })
	dial(t, addr)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := &client{t: t, nc: nc, r: newReader(nc)}
	c.expect("", "421 4.7.0 Too many connections, try again later\r\n<EOF>")
}

func TestServeErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := (&Server{}).Serve(ln); err == nil || errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve without a Store = %v", err)
	}
	ln, _ = net.Listen("tcp", "127.0.0.1:0")
	if err := (&Server{Store: &fakeStore{}, ImplicitTLS: true}).Serve(ln); err == nil {
		t.Error("Serve with ImplicitTLS and no TLSConfig succeeded")
	}
	s := &Server{Store: &fakeStore{}, Addr: "127.0.0.1:0"}
	s.Close()
	if err := s.ListenAndServe(); !errors.Is(err, ErrServerClosed) {
		t.Errorf("ListenAndServe after Close = %v", err)
	}
}

func TestListenAndServe(t *testing.T) {
	// Reserve a port, free it, and serve on it: the only way to learn the
	// address ListenAndServe binds.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &Server{Addr: addr, Hostname: "mx.test", Store: &fakeStore{}}
	done := make(chan error, 1)
	go func() { done <- s.ListenAndServe() }()
	var nc net.Conn
	for nc == nil {
		nc, _ = net.Dial("tcp", addr)
	}
	c := &client{t: t, nc: nc, r: newReader(nc)}
	c.expect("", "220 mx.test ESMTP intray\r\n")
	c.expect("QUIT\r\n", "221 2.0.0 Bye\r\n")
	nc.Close()
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("ListenAndServe = %v", err)
	}
}

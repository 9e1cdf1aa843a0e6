//go:build linux

package srvkit

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// waitReadable waits until the kernel has queued n bytes for server, so
// that a test does not depend on loopback timing.
func waitReadable(t *testing.T, server net.Conn, n int) {
	t.Helper()
	rc, err := server.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var queued int32
		rc.Control(func(fd uintptr) {
			n, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&queued)))
			if n != 0 || errno != 0 {
				queued = -1
			}
		})
		if int(queued) >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d bytes never arrived", n)
}

func TestFlushReader(t *testing.T) {
	errFlush := errors.New("flush failed")
	tests := []struct {
		name      string
		pipe      bool   // net.Pipe: not a socket
		queued    string // written by the client before the read
		later     string // written by the client once flush ran
		flushErr  error
		wantFlush int
		want      string
		wantErr   error
	}{
		{name: "data waiting: no flush", queued: "MAIL FROM:<a@b>\r\n", want: "MAIL FROM:<a@b>\r\n"},
		{name: "nothing waiting: flush, then wait", later: "QUIT\r\n", wantFlush: 1, want: "QUIT\r\n"},
		{name: "flush error", flushErr: errFlush, wantFlush: 1, wantErr: errFlush},
		{name: "not a socket: flush first", pipe: true, later: "NOOP\r\n", wantFlush: 1, want: "NOOP\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var server, client net.Conn
			if tt.pipe {
				server, client = net.Pipe()
				t.Cleanup(func() { server.Close(); client.Close() })
			} else {
				server, client = tcpPair(t)
			}
			if tt.queued != "" {
				if _, err := io.WriteString(client, tt.queued); err != nil {
					t.Fatal(err)
				}
				waitReadable(t, server, len(tt.queued))
			}
			flushes := 0
			flush := func() error {
				flushes++
				if tt.later != "" {
					go io.WriteString(client, tt.later)
				}
				return tt.flushErr
			}
			server.SetReadDeadline(time.Now().Add(5 * time.Second)) // a bug fails, not hangs
			buf := make([]byte, 64)
			fr := FlushReader{Conn: server, Pending: func() bool { return true }, Flush: flush}
			n, err := fr.Read(buf)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := string(buf[:n]); got != tt.want {
				t.Errorf("read %q, want %q", got, tt.want)
			}
			if flushes != tt.wantFlush {
				t.Errorf("flush ran %d times, want %d", flushes, tt.wantFlush)
			}
		})
	}
}

func TestFlushReaderEndAndDeadline(t *testing.T) {
	t.Run("EOF", func(t *testing.T) {
		server, client := tcpPair(t)
		client.Close()
		fr := FlushReader{Conn: server, Pending: func() bool { return true }, Flush: func() error { return nil }}
		n, err := fr.Read(make([]byte, 8))
		if n != 0 || err != io.EOF {
			t.Fatalf("got %d, %v; want 0, EOF", n, err)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		server, _ := tcpPair(t)
		server.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		flushes := 0
		fr := FlushReader{Conn: server, Pending: func() bool { return true }, Flush: func() error { flushes++; return nil }}
		_, err := fr.Read(make([]byte, 8))
		var ne net.Error
		if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("err = %v, want a timeout", err)
		}
		if flushes != 1 {
			t.Errorf("flush ran %d times, want 1", flushes)
		}
	})
	t.Run("closed by the server", func(t *testing.T) {
		server, _ := tcpPair(t)
		done := make(chan error, 1)
		go func() {
			fr := FlushReader{Conn: server, Pending: func() bool { return true }, Flush: func() error { return nil }}
			_, err := fr.Read(make([]byte, 8))
			done <- err
		}()
		time.Sleep(10 * time.Millisecond)
		server.Close()
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Fatalf("err = %v, want net.ErrClosed", err)
		}
	})
}

func TestFlushReaderReuse(t *testing.T) {
	server, client := tcpPair(t)
	server.SetReadDeadline(time.Now().Add(5 * time.Second))
	pending, flushes := false, 0
	fr := FlushReader{Conn: server, Pending: func() bool { return pending }, Flush: func() error {
		flushes++
		pending = false
		go io.WriteString(client, "next\r\n")
		return nil
	}}
	buf := make([]byte, 64)
	io.WriteString(client, "first\r\n")
	if n, err := fr.Read(buf); err != nil || string(buf[:n]) != "first\r\n" {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
	if flushes != 0 {
		t.Fatalf("flushed with nothing pending")
	}
	pending = true // a reply waits; nothing is queued: flush, then read
	if n, err := fr.Read(buf); err != nil || string(buf[:n]) != "next\r\n" || flushes != 1 {
		t.Fatalf("read %q, %v after %d flushes", buf[:n], err, flushes)
	}
	// A socket read with replies pending allocates nothing.
	io.WriteString(client, strings.Repeat("x", 200))
	waitReadable(t, server, 200)
	allocs := testing.AllocsPerRun(100, func() {
		pending = true
		if _, err := fr.Read(buf[:1]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Errorf("Read allocates %.1f times", allocs)
	}
}

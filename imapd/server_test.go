package imapd

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"intray/internal/clienttest"
	"intray/internal/leaktest"
	"intray/memstore"
)

// TestShutdown: idle and IDLE-ing sessions get BYE, Serve returns
// ErrServerClosed, and no goroutine of the server is left.
func TestShutdown(t *testing.T) {
	store := memstore.New(memstore.Options{})
	srv := &Server{Store: store}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	env := &testEnv{t: t, addr: ln.Addr().String()}
	waiting := env.raw()
	waiting.line()
	idler := env.raw()
	idler.line()
	idler.cmd("a", "LOGIN x y")
	idler.cmd("b", "SELECT INBOX")
	idler.send("c IDLE\r\n")
	idler.until("+ ")
	if err := srv.Shutdown(ctxTimeout(t)); err != nil {
		t.Fatal(err)
	}
	for _, r := range []*raw{waiting, idler} {
		if got := r.line(); got != "* BYE Server shutting down\r\n" {
			t.Errorf("got %q, want BYE", got)
		}
	}
	if err := <-done; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
	// Shutdown has returned, so every session has ended (and an IDLE
	// session only ends after its reader goroutine delivered its line).
	leaktest.Check(t, "intray/imapd", "intray/internal/srvkit")
}

func TestAutologout(t *testing.T) {
	env := newEnv(t, func(s *Server) { s.IdleTimeout = 50 * time.Millisecond })
	r := env.raw()
	r.line()
	r.cmd("a", "LOGIN x y")
	if got := r.line(); got != "* BYE Autologout; idle for too long\r\n" {
		t.Errorf("got %q", got)
	}
}

func TestMaxConns(t *testing.T) {
	env := newEnv(t, func(s *Server) { s.MaxConns = 1 })
	first := env.raw()
	first.line()
	second := env.raw()
	if got := second.line(); !strings.HasPrefix(got, "* BYE [UNAVAILABLE]") {
		t.Errorf("over the limit: %q", got)
	}
}

func TestImplicitTLS(t *testing.T) {
	env := newEnv(t, withTLS(t), func(s *Server) { s.ImplicitTLS = true })
	nc, err := tls.Dial("tcp", env.addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	greeting, err := bufio.NewReader(nc).ReadString('\n')
	if err != nil || !strings.HasPrefix(greeting, "* OK [CAPABILITY ") || strings.Contains(greeting, "STARTTLS") {
		t.Errorf("greeting over TLS: %q %v", greeting, err)
	}
}

// TestCurl lists and fetches with curl's IMAP client.
func TestCurl(t *testing.T) {
	curl := clienttest.Program(t, "curl")
	env := newEnv(t)
	env.add(simpleMsg, "bob@example.com")
	url := "imap://" + env.addr + "/"
	out, err := exec.CommandContext(ctxTimeout(t), curl, "-sS", "--user", "bob@example.com:pw", url).CombinedOutput()
	if err != nil {
		t.Fatalf("curl list: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), `"INBOX"`) || !strings.Contains(string(out), `\Sent`) {
		t.Errorf("curl list:\n%s", out)
	}
	out, err = exec.CommandContext(ctxTimeout(t), curl, "-sS", "--user", "bob@example.com:pw", url+"INBOX;UID=1").CombinedOutput()
	if err != nil {
		t.Fatalf("curl fetch: %v\n%s", err, out)
	}
	if string(out) != simpleMsg {
		t.Errorf("curl fetch:\n%q", out)
	}
}

// TestPipelinedCommands: commands sent in one write are answered in order,
// their responses written together once the input runs dry (see
// srvkit.FlushReader), and a client that half-closes after them still gets
// every response.
func TestPipelinedCommands(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, "bob@example.com")
	r := env.raw()
	r.line() // greeting
	r.send("a LOGIN bob@example.com pw\r\nb SELECT INBOX\r\nc NOOP\r\nd UID FETCH 1 (UID FLAGS)\r\ne LOGOUT\r\n")
	r.nc.(*net.TCPConn).CloseWrite()
	var tags []string
	for {
		l, err := r.br.ReadString('\n')
		if err != nil {
			break
		}
		if tag, rest, ok := strings.Cut(l, " "); ok && tag != "*" && tag != "+" {
			if !strings.HasPrefix(rest, "OK") {
				t.Errorf("%s: %q", tag, l)
			}
			tags = append(tags, tag)
		}
	}
	if got := strings.Join(tags, " "); got != "a b c d e" {
		t.Fatalf("tagged responses %q, want a b c d e", got)
	}
}

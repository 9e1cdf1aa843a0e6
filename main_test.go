package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// intrayBinary builds the command once per test process.
func intrayBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "intray-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "intray")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// process is a running intray binary.
type process struct {
	cmd       *exec.Cmd
	addrs     map[string]string
	readyFile string
	stderr    *bytes.Buffer
	readyMs   float64 // start-up time the banner reports
}

// startBinary runs intray with every service on a free port and waits for
// its banner; the ready file has been written by then.
func startBinary(tb testing.TB, extra ...string) *process {
	tb.Helper()
	ready := filepath.Join(tb.TempDir(), "ready.json")
	args := append([]string{"--smtp", "127.0.0.1:0", "--pop3", "127.0.0.1:0", "--imap", "127.0.0.1:0",
		"--http", "127.0.0.1:0", "--smtps", "127.0.0.1:0", "--pop3s", "127.0.0.1:0", "--imaps", "127.0.0.1:0",
		"--ready-file", ready, "--log-level", "warn"}, extra...)
	cmd := exec.Command(intrayBinary(tb), args...)
	// INTRAY_BENCH_SERVER_ENV adds environment for the server only, for
	// measurements (e.g. "GOMAXPROCS=1 GOGC=200").
	cmd.Env = append(os.Environ(), strings.Fields(os.Getenv("INTRAY_BENCH_SERVER_ENV"))...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p := &process{cmd: cmd, readyFile: ready, stderr: new(bytes.Buffer)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	// The banner ends with the web line, or with the last service line when
	// HTTP is off; read until stdout has gone quiet by reading the ready file
	// after the first banner line.
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		tb.Fatalf("no banner; stderr: %s", p.stderr)
	}
	_, after, _ := strings.Cut(sc.Text(), "(ready in ")
	if _, err := fmt.Sscanf(after, "%f", &p.readyMs); err != nil {
		tb.Fatalf("banner %q: no start-up time: %v", sc.Text(), err)
	}
	go io.Copy(io.Discard, stdout)
	b, err := os.ReadFile(ready)
	if err != nil {
		tb.Fatalf("ready file: %v", err)
	}
	if err := json.Unmarshal(b, &p.addrs); err != nil {
		tb.Fatalf("ready file %q: %v", b, err)
	}
	return p
}

func (p *process) stop(tb testing.TB) {
	tb.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			tb.Fatalf("exit after SIGTERM: %v; stderr: %s", err, p.stderr)
		}
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		tb.Fatal("no exit within 10s of SIGTERM")
	}
}

func TestBinaryServesSMTPAndStopsOnSIGTERM(t *testing.T) {
	p := startBinary(t)
	for _, name := range []string{"smtp", "pop3", "imap", "http", "smtps", "pop3s", "imaps"} {
		if !strings.HasPrefix(p.addrs[name], "127.0.0.1:") || strings.HasSuffix(p.addrs[name], ":0") {
			t.Errorf("ready file %s = %q", name, p.addrs[name])
		}
	}
	if p.addrs["web"] != "http://"+p.addrs["http"]+"/" {
		t.Errorf("ready file web = %q", p.addrs["web"])
	}
	msg := "From: a@example.com\r\nTo: b@example.com\r\nSubject: hello\r\n\r\nhi\r\n"
	// STARTTLS is offered with a self-signed certificate, which SendMail
	// rejects; a client that does not upgrade on its own works as is.
	c, err := smtp.Dial(p.addrs["smtp"])
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Error("STARTTLS not offered")
	}
	sendWith(t, c, "b@example.com", msg)

	// The same over implicit TLS, read back over POP3S.
	tc, err := tls.Dial("tcp", p.addrs["smtps"], &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := smtp.NewClient(tc, "localhost")
	if err != nil {
		t.Fatal(err)
	}
	sendWith(t, sc, "b@example.com", strings.Replace(msg, "hello", "over tls", 1))
	if got := pop3sRetr(t, p.addrs["pop3s"], "b@example.com", 2); !strings.Contains(got, "Subject: over tls") {
		t.Errorf("POP3S RETR 2 = %q", got)
	}

	var list struct {
		Total int `json:"total"`
	}
	getJSON(t, "http://"+p.addrs["http"]+"/api/v1/messages", &list)
	if list.Total != 2 {
		t.Errorf("API total = %d, want 2", list.Total)
	}
	p.stop(t)
	if _, err := os.Stat(p.readyFile); !os.IsNotExist(err) {
		t.Errorf("ready file left behind: %v", err)
	}
}

// sendWith sends msg from a@example.com to rcpt and quits.
func sendWith(t *testing.T, c *smtp.Client, rcpt, msg string) {
	t.Helper()
	if err := c.Mail("a@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt(rcpt); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, msg)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
}

// pop3sRetr logs in over implicit TLS and returns message n; a small
// client of its own, since curl and Python are covered in pop3d's tests.
func pop3sRetr(t *testing.T, addr, user string, n int) string {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tp := textproto.NewConn(c)
	for _, cmd := range []string{"", "USER " + user, "PASS x", fmt.Sprintf("RETR %d", n)} {
		if cmd != "" {
			tp.PrintfLine("%s", cmd)
		}
		line, err := tp.ReadLine()
		if err != nil || !strings.HasPrefix(line, "+OK") {
			t.Fatalf("POP3S %q: %q %v", cmd, line, err)
		}
	}
	lines, err := tp.ReadDotLines()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func TestBinaryWithoutSTARTTLSWorksWithSendMail(t *testing.T) {
	p := startBinary(t, "--starttls=false")
	msg := "From: a@example.com\r\nTo: b@example.com\r\nSubject: hello\r\n\r\nhi\r\n"
	if err := smtp.SendMail(p.addrs["smtp"], nil, "a@example.com", []string{"b@example.com"}, []byte(msg)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	p.stop(t)
}

func TestFlagErrors(t *testing.T) {
	dir := t.TempDir()
	badFile := filepath.Join(dir, "auth-bad")
	if err := os.WriteFile(badFile, []byte("# users\n\nalice:pw\nno-colon-here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{[]string{"--nope"}, nil, 2, "unknown flag"},
		{[]string{"--max-message-size", "lots"}, nil, 2, "size"},
		{nil, map[string]string{"INTRAY_MAX_MESSAGES": "-1"}, 2, "--max-messages"},
		{[]string{"--tls-cert", "x.pem"}, nil, 2, "go together"},
		{[]string{"--version"}, nil, 0, ""},
		{[]string{"--cors-origin", "not an origin"}, nil, 1, "--cors-origin"},
		{[]string{"--help"}, nil, 0, "Examples"},
		{[]string{"--auth", "alice"}, nil, 2, "--auth entry 1: want user:password"},
		{[]string{"--auth", "alice:pw,:pw"}, nil, 2, "--auth entry 2: want user:password"},
		{[]string{"--auth", "alice:pw", "--auth", "bob:"}, nil, 2, "--auth entry 2: want user:password"},
		{[]string{"--auth", "alice:pw,ALICE:other"}, nil, 2, `user "ALICE" given twice`},
		{nil, map[string]string{"INTRAY_AUTH": "nopassword"}, 2, "--auth entry 1"},
		{[]string{"--auth-file", badFile}, nil, 1, "--auth-file " + badFile + " line 4: want user:password"},
		{[]string{"--auth-file", filepath.Join(dir, "missing")}, nil, 1, "--auth-file: open"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		getenv := func(k string) string { return tt.env[k] }
		code := run(context.Background(), tt.args, getenv, &out, &errb)
		if code != tt.code || !strings.Contains(errb.String()+out.String(), tt.want) {
			t.Errorf("run(%v) = %d, %q %q", tt.args, code, out.String(), errb.String())
		}
		if code != 0 && strings.Count(strings.TrimSpace(errb.String()), "\n") > 1 {
			t.Errorf("run(%v): want one clear line, got %q", tt.args, errb.String())
		}
	}
}

func TestAddressInUse(t *testing.T) {
	p := startBinary(t)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--smtp", p.addrs["smtp"], "--pop3", "off", "--imap", "off", "--http", "off"},
		func(string) string { return "" }, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "address already in use") || strings.Count(errb.String(), "\n") != 1 {
		t.Fatalf("code %d stderr %q", code, errb.String())
	}
}

func TestEnvAndFlagPrecedence(t *testing.T) {
	env := map[string]string{"INTRAY_SMTP": "2525", "INTRAY_MAX_MESSAGE_SIZE": "10MiB", "INTRAY_HTTP": "off", "INTRAY_ALLOWED_HOSTS": "a.test,b.test"}
	cfg, err := parseFlags([]string{"--smtp", "127.0.0.1:0"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.smtp != "127.0.0.1:0" || cfg.maxMessageSize != 10<<20 || cfg.http != "off" || len(cfg.allowedHosts) != 2 {
		t.Fatalf("cfg = %+v", cfg)
	}
}

func TestLoadCredentials(t *testing.T) {
	file := "# test users\r\nbob@example.com:pa:ss word\r\n\n  # indented comment\ncarol:x\n"
	cfg := &config{auth: []string{"Alice@Example.com:secret"}, authFile: "users.txt"}
	cr, err := cfg.loadCredentials(func(name string) ([]byte, error) {
		if name != "users.txt" {
			t.Errorf("read %q", name)
		}
		return []byte(file), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for user, want := range map[string]string{"alice@example.com": "secret", "ALICE@EXAMPLE.COM": "secret",
		"bob@example.com": "pa:ss word", "Carol": "x"} {
		if got, ok := cr.password(user); !ok || got != want {
			t.Errorf("password(%q) = %q, %v; want %q", user, got, ok, want)
		}
	}
	if _, ok := cr.password("dave"); ok || len(cr) != 3 {
		t.Errorf("credentials %d, dave known: %v", len(cr), ok)
	}
	// The environment twin, comma-separated.
	env := map[string]string{"INTRAY_AUTH": "a:1,b:2:3"}
	c, err := parseFlags(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cr, err := c.loadCredentials(os.ReadFile); err != nil || cr["a"] != "1" || cr["b"] != "2:3" {
		t.Errorf("INTRAY_AUTH: %v %v", cr, err)
	}
}

func TestBinaryAuth(t *testing.T) {
	p := startBinary(t, "--auth", "alice@example.com:secret")
	msg := "From: a@example.com\r\nTo: alice@example.com\r\nSubject: hello\r\n\r\nhi\r\n"
	c, err := smtp.Dial(p.addrs["smtp"])
	if err != nil {
		t.Fatal(err)
	}
	sendWith(t, c, "alice@example.com", msg)

	ic, err := imapclient.DialInsecure(p.addrs["imap"], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	if err := ic.Login("alice@example.com", "wrong").Wait(); err == nil || !strings.Contains(err.Error(), "AUTHENTICATIONFAILED") {
		t.Fatalf("IMAP LOGIN with a wrong password: %v", err)
	}
	if err := ic.Login("alice@example.com", "secret").Wait(); err != nil {
		t.Fatalf("IMAP LOGIN with the right password: %v", err)
	}
	if data, err := ic.Select("INBOX", nil).Wait(); err != nil || data.NumMessages != 1 {
		t.Fatalf("SELECT: %v %v", data, err)
	}

	nc, err := net.Dial("tcp", p.addrs["pop3"])
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	tp := textproto.NewConn(nc)
	for _, step := range []struct{ send, want string }{
		{"", "+OK "},
		{"USER alice@example.com", "+OK"},
		{"PASS wrong", "-ERR [AUTH] "},
		{"USER alice@example.com", "+OK"},
		{"PASS secret", "+OK maildrop has 1 messages"},
		{"QUIT", "+OK"},
	} {
		if step.send != "" {
			tp.PrintfLine("%s", step.send)
		}
		if line, err := tp.ReadLine(); err != nil || !strings.HasPrefix(line, step.want) {
			t.Fatalf("POP3 %q: %q %v, want %q", step.send, line, err, step.want)
		}
	}
	p.stop(t)
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1024", 1024, true}, {"25MiB", 25 << 20, true}, {"25 MB", 25_000_000, true}, {"1.5KiB", 1536, true},
		{"2g", 2 << 30, true}, {"10kb", 10_000, true}, {"", 0, false}, {"-1", 0, false}, {"MiB", 0, false},
	}
	for _, tt := range tests {
		got, err := parseBytes(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseBytes(%q) = %d, %v", tt.in, got, err)
		}
	}
}

func TestListenAddr(t *testing.T) {
	tests := []struct {
		in, want string
		on       bool
	}{
		{"off", "", false}, {"OFF", "", false}, {"", "", false}, {"0", "127.0.0.1:0", true},
		{"2525", "127.0.0.1:2525", true}, {"0.0.0.0:25", "0.0.0.0:25", true}, {"[::1]:0", "[::1]:0", true},
	}
	for _, tt := range tests {
		if got, on := listenAddr(tt.in); got != tt.want || on != tt.on {
			t.Errorf("listenAddr(%q) = %q %v", tt.in, got, tt.on)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8025": true, "[::1]:0": true, "localhost:80": true, "127.1.2.3:1": true,
		"0.0.0.0:8025": false, ":8025": false, "192.0.2.1:80": false, "mail.test:80": false, "nonsense": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v", addr, got)
		}
	}
}

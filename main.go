// Command intray is a zero-config mail sandbox: it accepts any SMTP
// submission, keeps every message in memory, serves the mail back over POP3
// and IMAP, streams arrivals to a live web inbox and gives test suites an
// HTTP API. main.go is the composition root: flags and environment, wiring
// of the servers to one memstore, the start-up banner, the ready file and
// graceful shutdown.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"intray/imapd"
	"intray/internal/selfsigned"
	"intray/internal/srvkit"
	"intray/memstore"
	"intray/pop3d"
	"intray/smtpd"
	"intray/webui"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// shutdownGrace is how long sessions get to finish after SIGINT/SIGTERM.
const shutdownGrace = 3 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // restore the default action: a second signal ends the process at once
	}()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// server is what every protocol server and the HTTP server provide.
type server interface {
	Serve(net.Listener) error
	Shutdown(context.Context) error
}

// service is one listener and the server behind it.
type service struct {
	name string // key in the ready file: smtp, pop3, ...
	addr string // listen address from the flags
	srv  server
	ln   net.Listener
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	start := time.Now()
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, errHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "intray: %v (see --help)\n", err)
		return 2
	}
	if cfg.version {
		fmt.Fprintf(stdout, "intray %s\n", version)
		return 0
	}
	logger := newLogger(stderr, cfg.logLevel)
	app, err := build(cfg, logger, start)
	if err != nil {
		fmt.Fprintf(stderr, "intray: %v\n", err)
		return 1
	}
	if err := app.listen(); err != nil {
		fmt.Fprintf(stderr, "intray: %v\n", err)
		return 1
	}
	addrs := app.addresses()
	app.bound = addrs // read by the HTTP handler once serving starts
	if cfg.readyFile != "" {
		if err := writeReadyFile(cfg.readyFile, addrs); err != nil {
			app.closeListeners()
			fmt.Fprintf(stderr, "intray: %v\n", err)
			return 1
		}
		defer os.Remove(cfg.readyFile) // the addresses are stale once we exit
	}
	printBanner(stdout, addrs, app.services, time.Since(start))
	errc := app.serve(logger)
	select {
	case <-ctx.Done():
		logger.Info("shutting down; a second signal stops at once")
	case err := <-errc:
		logger.Error("server failed", "err", err)
		app.shutdown()
		return 1
	}
	app.shutdown()
	return 0
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// app is the wired program: one store and its services.
type app struct {
	store    *memstore.Store
	services []*service
	// bound is every bound address, set once before the servers start and
	// read-only afterwards (for /api/v1/info and the Host check).
	bound map[string]string
}

// build creates the store and every enabled server, without listening.
func build(cfg *config, logger *slog.Logger, start time.Time) (*app, error) {
	hostname := cfg.hostname
	if hostname == "" {
		hostname, _ = os.Hostname()
		if hostname == "" {
			hostname = "localhost"
		}
	}
	creds, err := cfg.loadCredentials(os.ReadFile)
	if err != nil {
		return nil, err
	}
	tlsConfig, err := loadTLS(cfg, hostname)
	if err != nil {
		return nil, err
	}
	a := &app{store: memstore.New(memstore.Options{
		MaxMessages: cfg.maxMessages,
		MaxBytes:    int64(cfg.maxStoreBytes),
	})}
	f := factory{cfg: cfg, logger: logger, hostname: hostname, store: a.store, implicitTLS: tlsConfig, startTLS: tlsConfig}
	if len(creds) > 0 {
		f.passwords = creds.password
	}
	if !cfg.starttls {
		f.startTLS = nil // no STARTTLS/STLS; implicit-TLS listeners keep theirs
	}
	for _, implicit := range []bool{false, true} {
		suffix, addrs := "", [3]string{cfg.smtp, cfg.pop3, cfg.imap}
		if implicit {
			suffix, addrs = "s", [3]string{cfg.smtps, cfg.pop3s, cfg.imaps}
		}
		a.add("smtp"+suffix, addrs[0], f.smtp(implicit))
		a.add("pop3"+suffix, addrs[1], f.pop3(implicit))
		a.add("imap"+suffix, addrs[2], f.imap(implicit))
	}
	if _, on := listenAddr(cfg.http); on {
		// The web handler follows the store's events; with HTTP off it is
		// not created at all.
		web, err := a.newWeb(cfg, logger, hostname, start)
		if err != nil {
			return nil, err
		}
		a.add("http", cfg.http, webui.NewServer(web))
	}
	return a, nil
}

// factory builds the protocol servers from the configuration.
type factory struct {
	cfg                   *config
	logger                *slog.Logger
	hostname              string
	store                 *memstore.Store
	implicitTLS, startTLS *tls.Config // startTLS nil: no in-session upgrade
	// passwords checks POP3 and IMAP logins; nil accepts any password.
	passwords func(user string) (password string, ok bool)
}

func (f factory) tls(implicit bool) *tls.Config {
	if implicit {
		return f.implicitTLS
	}
	return f.startTLS
}

func (f factory) smtp(implicit bool) server {
	return &smtpd.Server{
		Hostname: f.hostname, TLSConfig: f.tls(implicit), ImplicitTLS: implicit,
		MaxMessageSize: int64(f.cfg.maxMessageSize), MaxRecipients: f.cfg.maxRecipients,
		MaxConns: f.cfg.maxConns, IdleTimeout: f.cfg.smtpIdle,
		Logger: f.logger.With("service", "smtp"), Store: f.store,
	}
}

func (f factory) pop3(implicit bool) server {
	return &pop3d.Server{
		Hostname: f.hostname, TLSConfig: f.tls(implicit), ImplicitTLS: implicit,
		MaxConns: f.cfg.maxConns, IdleTimeout: f.cfg.pop3Idle,
		Logger: f.logger.With("service", "pop3"), Store: f.store, Passwords: f.passwords,
	}
}

func (f factory) imap(implicit bool) server {
	return &imapd.Server{
		Hostname: f.hostname, TLSConfig: f.tls(implicit), ImplicitTLS: implicit,
		MaxConns: f.cfg.maxConns, IdleTimeout: f.cfg.imapIdle, MaxLiteral: int64(f.cfg.maxMessageSize),
		Logger: f.logger.With("service", "imap"), Store: f.store, Passwords: f.passwords,
	}
}

func (a *app) newWeb(cfg *config, logger *slog.Logger, hostname string, start time.Time) (*webui.Handler, error) {
	hosts := cfg.allowedHosts
	if addr, _ := listenAddr(cfg.http); !isLoopback(addr) {
		// Exposed on purpose: the machine's own name is one it serves.
		hosts = append(slices.Clone(hosts), hostname)
	}
	webCfg := webui.Config{
		Store:          a.store,
		Logger:         logger.With("service", "http"),
		AllowedHosts:   hosts,
		CORSOrigin:     cfg.corsOrigin,
		Addresses:      func() map[string]string { return a.bound },
		Version:        version,
		Ready:          func() bool { return a.bound != nil },
		StartTime:      start,
		MaxMessageSize: int64(cfg.maxMessageSize),
	}
	if err := webCfg.Validate(); err != nil {
		return nil, fmt.Errorf("--allowed-hosts or --cors-origin: %w", err)
	}
	return webui.New(webCfg), nil
}

// isLoopback reports whether a listen address binds only loopback.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (a *app) add(name, flagValue string, srv server) {
	if addr, on := listenAddr(flagValue); on {
		a.services = append(a.services, &service{name: name, addr: addr, srv: srv})
	}
}

func loadTLS(cfg *config, hostname string) (*tls.Config, error) {
	if cfg.tlsCert == "" {
		c, err := selfsigned.Config(hostname)
		if err != nil {
			return nil, fmt.Errorf("generate a self-signed certificate: %w", err)
		}
		return c, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
	if err != nil {
		return nil, fmt.Errorf("load --tls-cert/--tls-key: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// listen binds every service's listener, or none: on an error the ones
// already bound are closed.
func (a *app) listen() error {
	for _, s := range a.services {
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			a.closeListeners()
			return fmt.Errorf("%s: %w", s.name, err)
		}
		s.ln = ln
	}
	return nil
}

func (a *app) closeListeners() {
	for _, s := range a.services {
		if s.ln != nil {
			s.ln.Close()
		}
	}
}

// serve starts every server; the channel gets the first unexpected error.
func (a *app) serve(logger *slog.Logger) <-chan error {
	errc := make(chan error, len(a.services))
	for _, s := range a.services {
		go func() {
			err := s.srv.Serve(s.ln)
			if err != nil && !isClosed(err) {
				errc <- fmt.Errorf("%s: %w", s.name, err)
			}
		}()
	}
	return errc
}

func isClosed(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, http.ErrServerClosed) || errors.Is(err, srvkit.ErrServerClosed)
}

// shutdown stops every server in parallel, giving sessions shutdownGrace.
func (a *app) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	done := make(chan struct{}, len(a.services))
	for _, s := range a.services {
		go func() {
			s.srv.Shutdown(ctx)
			done <- struct{}{}
		}()
	}
	for range a.services {
		<-done
	}
}

// addresses returns the bound address of every service and the web URL.
func (a *app) addresses() map[string]string {
	out := make(map[string]string, len(a.services)+1)
	for _, s := range a.services {
		out[s.name] = s.ln.Addr().String()
	}
	if h, ok := out["http"]; ok {
		out["web"] = "http://" + h + "/"
	}
	return out
}

// writeReadyFile writes addrs as JSON atomically: a temporary file in the
// same directory, renamed into place.
func writeReadyFile(path string, addrs map[string]string) error {
	b, err := json.Marshal(addrs)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".intray-ready-*")
	if err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(f.Name())
		return fmt.Errorf("ready file: %w", errors.Join(werr, cerr))
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("ready file: %w", err)
	}
	return nil
}

func printBanner(w io.Writer, addrs map[string]string, services []*service, startup time.Duration) {
	fmt.Fprintf(w, "intray %s: a mail sandbox, every message kept in memory (ready in %.1f ms)\n",
		version, float64(startup.Microseconds())/1000)
	for _, s := range services {
		fmt.Fprintf(w, "  %-6s %s\n", s.name, addrs[s.name])
	}
	if web, ok := addrs["web"]; ok {
		fmt.Fprintf(w, "  web inbox: %s\n", web)
	}
}

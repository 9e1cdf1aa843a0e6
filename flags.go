package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// errHelp reports that --help was asked for and printed.
var errHelp = errors.New("help requested")

// config is everything the command line and the environment set.
type config struct {
	smtp, pop3, imap, http       string
	smtps, pop3s, imaps          string
	hostname                     string
	tlsCert, tlsKey              string
	starttls                     bool
	maxMessages                  int
	maxStoreBytes                byteSize
	maxMessageSize               byteSize
	maxRecipients                int
	maxConns                     int
	smtpIdle, pop3Idle, imapIdle time.Duration
	allowedHosts                 []string
	auth                         []string // --auth user:password entries
	authFile                     string
	corsOrigin                   string
	readyFile                    string
	logLevel                     string
	version                      bool
}

const usageHeader = `intray: a zero-config mail sandbox. It accepts any SMTP submission, keeps
every message in memory, serves it back over POP3, IMAP and a live web inbox,
and gives test suites an HTTP API.

Usage:
  intray [flags]

Every flag has an environment twin: INTRAY_ and the flag name in upper snake
case (--max-message-size -> INTRAY_MAX_MESSAGE_SIZE). Flags win over the
environment. An address is host:port, a bare port (on 127.0.0.1), port 0 for a
free port, or "off" to disable the service.

Examples:
  intray                                   # everything on 127.0.0.1, default ports
  intray --smtp 2525 --http 8080           # other ports, still loopback only
  intray --smtp 0 --http 0 --ready-file /tmp/intray.json   # free ports, for tests
  intray --http 0.0.0.0:8025 --allowed-hosts mail.dev.test # expose the web inbox
  INTRAY_MAX_MESSAGES=1000 intray          # keep at most 1000 messages

Flags:
`

// parseFlags reads args and then, for every flag not given, its INTRAY_*
// environment twin from getenv.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	c := &config{maxStoreBytes: 512 << 20, maxMessageSize: 25 << 20}
	fs := pflag.NewFlagSet("intray", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.StringVar(&c.smtp, "smtp", "127.0.0.1:1025", "SMTP listen address")
	fs.StringVar(&c.pop3, "pop3", "127.0.0.1:1110", "POP3 listen address")
	fs.StringVar(&c.imap, "imap", "127.0.0.1:1143", "IMAP listen address")
	fs.StringVar(&c.http, "http", "127.0.0.1:8025", "HTTP (web inbox and API) listen address")
	fs.StringVar(&c.smtps, "smtps", "off", "SMTP over implicit TLS listen address")
	fs.StringVar(&c.pop3s, "pop3s", "off", "POP3 over implicit TLS listen address")
	fs.StringVar(&c.imaps, "imaps", "off", "IMAP over implicit TLS listen address")
	fs.StringVar(&c.hostname, "hostname", "", "name in greetings and the generated certificate (default: the machine's host name)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM certificate file (default: a self-signed certificate generated at start-up)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM private key file for --tls-cert")
	fs.BoolVar(&c.starttls, "starttls", true, "offer STARTTLS (SMTP, IMAP) and STLS (POP3); --starttls=false for clients that upgrade on their own and reject the self-signed certificate (Go's smtp.SendMail, nodemailer, PHPMailer)")
	fs.IntVar(&c.maxMessages, "max-messages", 100_000, "messages kept before the oldest is evicted")
	fs.Var(&c.maxStoreBytes, "max-store-bytes", "total message bytes kept before the oldest is evicted (KB/MB/GB/KiB/MiB/GiB)")
	fs.Var(&c.maxMessageSize, "max-message-size", "largest message accepted, advertised as SMTP SIZE")
	fs.IntVar(&c.maxRecipients, "max-recipients", 1000, "recipients per message; beyond it RCPT gets 452")
	fs.IntVar(&c.maxConns, "max-conns", 500, "concurrent connections per protocol")
	fs.DurationVar(&c.smtpIdle, "smtp-idle-timeout", 5*time.Minute, "SMTP idle timeout")
	fs.DurationVar(&c.pop3Idle, "pop3-idle-timeout", 10*time.Minute, "POP3 idle timeout (RFC 1939: at least 10m)")
	fs.DurationVar(&c.imapIdle, "imap-idle-timeout", 30*time.Minute, "IMAP autologout timeout (RFC 3501: at least 30m)")
	fs.StringSliceVar(&c.auth, "auth", nil, "require this user:password for POP3 and IMAP logins (repeatable or comma-separated; default: any password is accepted)")
	fs.StringVar(&c.authFile, "auth-file", "", "read more user:password lines for POP3 and IMAP logins from this file (# comments and blank lines ignored)")
	fs.StringSliceVar(&c.allowedHosts, "allowed-hosts", nil, "extra Host names the HTTP server answers to (comma-separated)")
	fs.StringVar(&c.corsOrigin, "cors-origin", "", "an origin allowed to call the API cross-site (CORS off by default)")
	fs.StringVar(&c.readyFile, "ready-file", "", "write the bound addresses as JSON to this file once every listener is up")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprint(stderr, usageHeader)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, errHelp
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var envErr error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || envErr != nil || f.Name == "version" {
			return // --version is a command, not a setting: no env twin
		}
		name := "INTRAY_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("%s=%q: %w", name, v, err)
			}
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	return c, c.validate()
}

func (c *config) validate() error {
	switch {
	case c.maxMessages <= 0:
		return errors.New("--max-messages must be positive")
	case c.maxStoreBytes <= 0:
		return errors.New("--max-store-bytes must be positive")
	case c.maxMessageSize <= 0:
		return errors.New("--max-message-size must be positive")
	case int64(c.maxMessageSize) > int64(c.maxStoreBytes):
		return errors.New("--max-message-size must not exceed --max-store-bytes")
	case c.maxRecipients <= 0:
		return errors.New("--max-recipients must be positive")
	case c.maxConns <= 0:
		return errors.New("--max-conns must be positive")
	case (c.tlsCert == "") != (c.tlsKey == ""):
		return errors.New("--tls-cert and --tls-key go together")
	}
	if _, err := c.authFlagCredentials(); err != nil {
		return err
	}
	switch strings.ToLower(c.logLevel) {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", c.logLevel)
	}
	return nil
}

// credentials are the POP3 and IMAP logins of --auth and --auth-file: the
// password of each user name, keyed by the name in lower case. Empty means
// any password is accepted.
type credentials map[string]string

// add adds one "user:password" entry: the password is everything after the
// first ':' (it may contain ':'); neither part may be empty, and a user may
// be given once. Errors never contain the password.
func (cr credentials) add(entry string) error {
	user, pass, ok := strings.Cut(entry, ":")
	user = strings.TrimSpace(user)
	switch {
	case !ok || user == "" || pass == "":
		return errors.New("want user:password")
	case cr[strings.ToLower(user)] != "":
		return fmt.Errorf("user %q given twice", user)
	}
	cr[strings.ToLower(user)] = pass
	return nil
}

// password looks user up case-insensitively; it is pop3d's and imapd's
// Server.Passwords.
func (cr credentials) password(user string) (string, bool) {
	p, ok := cr[strings.ToLower(user)]
	return p, ok
}

// authFlagCredentials parses the --auth entries.
func (c *config) authFlagCredentials() (credentials, error) {
	cr := credentials{}
	for i, entry := range c.auth {
		if err := cr.add(entry); err != nil {
			return nil, fmt.Errorf("--auth entry %d: %w", i+1, err)
		}
	}
	return cr, nil
}

// loadCredentials returns the logins of --auth and --auth-file. The file
// has one user:password a line; blank lines and lines starting with '#'
// are ignored, and a bad line is an error that names its number.
func (c *config) loadCredentials(readFile func(string) ([]byte, error)) (credentials, error) {
	cr, err := c.authFlagCredentials()
	if err != nil || c.authFile == "" {
		return cr, err
	}
	b, err := readFile(c.authFile)
	if err != nil {
		return nil, fmt.Errorf("--auth-file: %w", err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if err := cr.add(line); err != nil {
			return nil, fmt.Errorf("--auth-file %s line %d: %w", c.authFile, i+1, err)
		}
	}
	return cr, nil
}

// listenAddr turns a flag value into a listen address: "" and "off" disable
// the service, a bare port means that port on 127.0.0.1.
func listenAddr(v string) (addr string, on bool) {
	v = strings.TrimSpace(v)
	if v == "" || strings.EqualFold(v, "off") {
		return "", false
	}
	if _, err := strconv.ParseUint(v, 10, 16); err == nil {
		return "127.0.0.1:" + v, true
	}
	return v, true
}

// byteSize is a flag value in bytes that takes KB/MB/GB (powers of 1000)
// and KiB/MiB/GiB (powers of 1024) suffixes; a bare number is bytes.
type byteSize int64

func (b *byteSize) String() string { return formatBytes(int64(*b)) }
func (b *byteSize) Type() string   { return "size" }

func (b *byteSize) Set(s string) error {
	v, err := parseBytes(s)
	if err != nil {
		return err
	}
	*b = byteSize(v)
	return nil
}

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30},
	{"KB", 1000}, {"MB", 1000_000}, {"GB", 1000_000_000},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
}

func parseBytes(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, su := range sizeUnits {
		if strings.HasSuffix(u, su.suffix) {
			u, mult = strings.TrimSpace(strings.TrimSuffix(u, su.suffix)), su.mult
			break
		}
	}
	n, err := strconv.ParseFloat(u, 64)
	if err != nil || n < 0 || n*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("size %q: want a number with an optional KB/MB/GB/KiB/MiB/GiB suffix", s)
	}
	return int64(n * float64(mult)), nil
}

func formatBytes(n int64) string {
	for _, u := range []struct {
		s string
		m int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.m && n%u.m == 0 {
			return strconv.FormatInt(n/u.m, 10) + u.s
		}
	}
	return strconv.FormatInt(n, 10)
}

package pop3d

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"intray/internal/sasl"
	"intray/memstore"
)

// capa answers CAPA (RFC 2449 section 5). STLS is listed only where it can
// be used: in AUTHORIZATION, with a TLS config, before TLS is on.
func (c *conn) capa(args string) error {
	if args != "" {
		return errSyntax
	}
	c.writeOK("capability list follows")
	lines := make([]string, 0, 12)
	lines = append(lines, "TOP", "UIDL", "USER", "SASL PLAIN", "RESP-CODES",
		"AUTH-RESP-CODE", "PIPELINING")
	if c.stlsAvailable() {
		lines = append(lines, "STLS")
	}
	lines = append(lines, "EXPIRE NEVER", "LOGIN-DELAY 0", "IMPLEMENTATION intray")
	c.writeLines(lines...)
	return nil
}

func (c *conn) stlsAvailable() bool {
	return c.srv.TLSConfig != nil && !c.tls && c.state == stateAuthorization
}

// user answers USER name (RFC 1939 section 7). Any name is accepted here,
// so that USER does not tell which users exist; PASS checks it.
func (c *conn) user(args string) error {
	name, ok := oneArg(args)
	if !ok {
		return errSyntax
	}
	c.userName = name
	c.writeOK("send PASS")
	return nil
}

// pass answers PASS (RFC 1939 section 7). The password is the rest of the
// line (it may contain spaces); it is checked only when Server.Passwords is
// set.
func (c *conn) pass(args string) error {
	if c.userName == "" {
		return badCommand("USER first")
	}
	if args == "" {
		return errSyntax
	}
	name := c.userName
	c.userName = ""
	if err := c.checkPassword(name, args); err != nil {
		return err
	}
	return c.open(name)
}

// apop answers APOP name digest (RFC 1939 section 7). The digest must look
// like one: 32 hexadecimal digits. With Server.Passwords set it must be the
// MD5 of the greeting's timestamp followed by the user's password;
// without, any digest is accepted.
func (c *conn) apop(args string) error {
	f := strings.Fields(args)
	if len(f) != 2 || !isMD5Hex(f[1]) {
		return errSyntax
	}
	c.userName = ""
	if c.srv.Passwords != nil {
		want, known := c.srv.Passwords(f[0])
		sum := md5.Sum([]byte(c.timestamp + want))
		digest := hex.EncodeToString(sum[:])
		match := subtle.ConstantTimeCompare([]byte(digest), []byte(strings.ToLower(f[1]))) == 1
		if !known || !match {
			return c.refuse(f[0], "APOP")
		}
	}
	return c.open(f[0])
}

// checkPassword checks pass for user when Server.Passwords is set
// (sasl.PasswordOK).
func (c *conn) checkPassword(user, pass string) error {
	if c.srv.Passwords == nil {
		return nil
	}
	if !sasl.PasswordOK(c.srv.Passwords, user, pass) {
		return c.refuse(user, "password")
	}
	return nil
}

// refuse logs a refused login and returns the -ERR [AUTH] reply, which
// counts as a bad command so that guessing runs into maxBadCommands.
func (c *conn) refuse(user, how string) error {
	c.log.Info("pop3 login refused", "user", user, "method", how)
	return errAuthFailed
}

func isMD5Hex(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i])) {
			return false
		}
	}
	return true
}

// auth answers AUTH (RFC 5034): alone it lists the mechanisms; AUTH PLAIN
// takes an initial response or asks for one with "+ ".
func (c *conn) auth(args string) error {
	f := strings.Fields(args)
	switch {
	case len(f) == 0:
		c.writeOK("SASL mechanisms follow")
		c.writeLines("PLAIN")
		return nil
	case len(f) > 2:
		return errSyntax
	case !strings.EqualFold(f[0], "PLAIN"):
		return failure("unsupported authentication mechanism")
	}
	var resp string
	if len(f) == 2 {
		resp = f[1]
	} else {
		_, _ = c.w.WriteString("+ \r\n")
		line, err := c.readLine(maxSASLLine)
		if err != nil {
			return err
		}
		resp = strings.TrimRight(string(line), "\r\n")
	}
	switch resp {
	case "*":
		return failure("authentication cancelled")
	case "=": // an empty initial response (RFC 5034 section 4)
		resp = ""
	}
	authz, authc, pass, ok := parsePlain(resp)
	if !ok {
		return failure("malformed PLAIN response")
	}
	c.userName = ""
	if c.srv.Passwords != nil {
		// Checked credentials: the password is authc's, and authc may
		// not act as someone else.
		if err := c.checkPassword(authc, pass); err != nil {
			return err
		}
		if authz != "" && !strings.EqualFold(authz, authc) {
			return c.refuse(authc, "PLAIN as "+authz)
		}
	}
	if authz != "" {
		return c.open(authz)
	}
	return c.open(authc)
}

// decodePlain decodes a base64 PLAIN response (RFC 4616) and returns the
// identity to log in as: authzid if given, else authcid.
func decodePlain(resp string) (string, bool) {
	authz, authc, _, ok := parsePlain(resp)
	if authz != "" {
		return authz, ok
	}
	return authc, ok
}

// parsePlain decodes a base64 PLAIN response (RFC 4616) and splits it
// (sasl.ParsePlain).
func parsePlain(resp string) (authz, authc, pass string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		return "", "", "", false
	}
	return sasl.ParsePlain(raw)
}

// open takes the maildrop snapshot for login and enters TRANSACTION.
func (c *conn) open(login string) error {
	info, entries, err := c.srv.Store.Snapshot(login, memstore.Inbox)
	if err != nil {
		c.log.Error("pop3 snapshot failed", "login", login, "err", err)
		return &replyError{code: codeSysTemp, text: "cannot open the maildrop, try again later"}
	}
	c.drop = newMaildrop(info.UIDValidity, entries)
	c.login = login
	c.state = stateTransaction
	c.buf = appendCount(append(c.buf[:0], "+OK maildrop has "...), int64(c.drop.count), "messages (")
	c.buf = appendCount(c.buf, c.drop.size, "octets)")
	c.writeLine(c.buf)
	return nil
}

// stls answers STLS (RFC 2595 section 4) and runs the TLS handshake. A
// failed handshake ends the session. The AUTHORIZATION state starts over.
func (c *conn) stls(args string) error {
	switch {
	case args != "":
		return errSyntax
	case c.tls:
		return failure("TLS is already active")
	case c.srv.TLSConfig == nil:
		return failure("STLS is not available")
	}
	c.writeOK("begin TLS negotiation")
	if err := c.w.Flush(); err != nil {
		return err
	}
	if err := c.handshake(); err != nil {
		c.log.Debug("pop3 STLS handshake failed", "err", err)
		return hangUp
	}
	c.userName = ""
	return nil
}

// oneArg returns the single argument of a command.
func oneArg(args string) (string, bool) {
	f := strings.Fields(args)
	if len(f) != 1 {
		return "", false
	}
	return f[0], true
}

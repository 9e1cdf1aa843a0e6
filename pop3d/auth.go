package pop3d

import (
	"bytes"
	"encoding/base64"
	"strings"

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

// user answers USER name (RFC 1939 section 7). Any name is accepted.
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
// line (it may contain spaces) and is not checked.
func (c *conn) pass(args string) error {
	if c.userName == "" {
		return badCommand("USER first")
	}
	if args == "" {
		return errSyntax
	}
	name := c.userName
	c.userName = ""
	return c.open(name)
}

// apop answers APOP name digest (RFC 1939 section 7). The digest is not
// checked, but must look like one: 32 hexadecimal digits.
func (c *conn) apop(args string) error {
	f := strings.Fields(args)
	if len(f) != 2 || !isMD5Hex(f[1]) {
		return errSyntax
	}
	c.userName = ""
	return c.open(f[0])
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
	login, ok := decodePlain(resp)
	if !ok {
		return failure("malformed PLAIN response")
	}
	c.userName = ""
	return c.open(login)
}

// decodePlain decodes a base64 PLAIN response (RFC 4616)
// "authzid NUL authcid NUL passwd" and returns the identity to log in as:
// authzid if given, else authcid. Identities must be non-empty text without
// control characters.
func decodePlain(resp string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		return "", false
	}
	parts := bytes.Split(raw, []byte{0})
	if len(parts) != 3 || len(parts[1]) == 0 {
		return "", false
	}
	for _, p := range parts[:2] {
		for _, b := range p {
			if b < 0x20 || b == 0x7f {
				return "", false
			}
		}
	}
	if len(parts[0]) > 0 {
		return string(parts[0]), true
	}
	return string(parts[1]), true
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

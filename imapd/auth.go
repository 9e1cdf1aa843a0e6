package imapd

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"strings"

	"intray/internal/sasl"
)

// capability answers CAPABILITY (RFC 3501 6.1.1).
func (c *conn) capability(req *request) error {
	if err := req.reader().end(); err != nil {
		return err
	}
	c.untagged("CAPABILITY " + c.caps())
	return nil
}

// noop answers NOOP and CHECK: pending updates go out with the OK.
func (c *conn) noop(req *request) error { return req.reader().end() }

// logout answers LOGOUT (RFC 3501 6.1.3).
func (c *conn) logout(req *request) error {
	if err := req.reader().end(); err != nil {
		return err
	}
	c.untagged("BYE " + c.srv.hostname() + " logging out")
	c.unselect()
	c.state = stateLogout
	return nil
}

// starttls answers STARTTLS (RFC 3501 6.2.1) and switches to TLS.
func (c *conn) starttls(req *request) error {
	if err := req.reader().end(); err != nil {
		return err
	}
	if c.srv.TLSConfig == nil || c.tls {
		return no("", "TLS not available")
	}
	c.writeTagged(req.tag, "OK", "", "Begin TLS negotiation now")
	if err := c.bw.Flush(); err != nil {
		return errHangup
	}
	if c.br.Buffered() > 0 {
		// Commands pipelined before the handshake would be
		// injected into the TLS session (CVE-2011-0411 style).
		return errHangup
	}
	if err := c.handshake(tls.Server(c.tc, c.srv.TLSConfig)); err != nil {
		c.log.Debug("starttls handshake failed", "err", err)
		return errHangup
	}
	req.done = true
	return nil
}

// loginCmd answers LOGIN (RFC 3501 6.2.3). The password is checked only
// when Server.Passwords is set.
func (c *conn) loginCmd(req *request) error {
	p := req.reader()
	user, err := p.astring()
	if err != nil {
		return err
	}
	pass, err := p.astring()
	if err != nil {
		return err
	}
	if err := p.end(); err != nil {
		return err
	}
	if err := c.checkPassword(user, pass); err != nil {
		return err
	}
	return c.loggedIn(req, user)
}

// checkPassword checks pass for user when Server.Passwords is set
// (sasl.PasswordOK).
func (c *conn) checkPassword(user, pass string) error {
	if c.srv.Passwords == nil {
		return nil
	}
	if !sasl.PasswordOK(c.srv.Passwords, user, pass) {
		c.log.Info("imap login refused", "login", user)
		return errAuthFailed
	}
	return nil
}

// loggedIn moves the session to the authenticated state as user.
func (c *conn) loggedIn(req *request, user string) error {
	if strings.TrimSpace(user) == "" {
		return no("AUTHENTICATIONFAILED", "Empty user name")
	}
	c.login = user
	c.state = stateAuth
	c.errs = 0
	req.okCode = "CAPABILITY " + c.caps()
	req.okText = "Logged in"
	c.log = c.log.With("user", user)
	return nil
}

// authenticate answers AUTHENTICATE PLAIN (RFC 3501 6.2.2, RFC 4616), with
// an initial response (SASL-IR, RFC 4959) or after a continuation.
func (c *conn) authenticate(req *request) error {
	p := req.reader()
	mech, err := p.atom()
	if err != nil {
		return err
	}
	if !strings.EqualFold(mech, "PLAIN") {
		return no("CANNOT", "Unsupported authentication mechanism")
	}
	var resp string
	if p.more() {
		if resp, err = p.atom(); err != nil {
			return err
		}
		if err := p.end(); err != nil {
			return err
		}
	} else if resp, err = c.readSASL(); err != nil {
		return err
	}
	if resp == "*" {
		return bad("Authentication cancelled")
	}
	if resp == "=" {
		resp = ""
	}
	raw, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		return bad("Invalid base64")
	}
	authz, authc, pass, ok := sasl.ParsePlain(raw)
	if !ok {
		return no("AUTHENTICATIONFAILED", "Invalid PLAIN response")
	}
	if c.srv.Passwords != nil {
		// Checked credentials: the password is authc's, and authc may
		// not act as someone else.
		if err := c.checkPassword(authc, pass); err != nil {
			return err
		}
		if authz != "" && !strings.EqualFold(authz, authc) {
			c.log.Info("imap login refused", "login", authc, "as", authz)
			return errAuthFailed
		}
	}
	if authz != "" {
		return c.loggedIn(req, authz)
	}
	return c.loggedIn(req, authc)
}

// readSASL sends an empty continuation and reads the client's response line.
func (c *conn) readSASL() (string, error) {
	_, _ = c.bw.WriteString("+ \r\n")
	if err := c.bw.Flush(); err != nil {
		return "", errHangup
	}
	if err := c.tc.ArmRead(commandTimeout); err != nil {
		return "", errHangup
	}
	line, err := c.dec.lr.ReadLine()
	if err != nil {
		return "", errHangup
	}
	return string(bytes.TrimRight(line, "\r\n")), nil
}

package smtpd

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDomain caps the HELO/EHLO argument (RFC 5321 4.5.3.1.2: 255 octets).
const maxDomain = 255

// Success replies of the commands in this file.
const (
	replyOK     = "250 2.0.0 OK\r\n"
	replyMailOK = "250 2.1.0 OK\r\n"
	replyRcptOK = "250 2.1.5 OK\r\n"
	replyVrfy   = "252 2.1.5 Cannot verify, but will accept the message\r\n"
	replyHelp   = "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH\r\n"
	replyBye    = "221 2.0.0 Bye\r\n"
)

// ehloReply builds the EHLO reply listing the extensions.
func ehloReply(hostname string, maxSize int64, starttls bool) string {
	ext := []string{hostname, "PIPELINING", "8BITMIME", "SMTPUTF8",
		"SIZE " + strconv.FormatInt(maxSize, 10), "ENHANCEDSTATUSCODES", "CHUNKING"}
	if starttls {
		ext = append(ext, "STARTTLS")
	}
	ext = append(ext, "AUTH PLAIN LOGIN CRAM-MD5", "HELP")
	var b strings.Builder
	for i, e := range ext {
		b.WriteString("250")
		if i < len(ext)-1 {
			b.WriteByte('-')
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(e)
		b.WriteString("\r\n")
	}
	return b.String()
}

// helo handles HELO: RFC 5321 4.1.1.1, without extensions.
func (c *conn) helo(arg []byte) error {
	if err := c.greet(arg); err != nil {
		return err
	}
	c.reply("250 " + c.cfg.hostname + "\r\n")
	return nil
}

// ehlo handles EHLO: RFC 5321 4.1.1.1, listing the extensions.
func (c *conn) ehlo(arg []byte) error {
	if err := c.greet(arg); err != nil {
		return err
	}
	if c.tls {
		c.reply(c.cfg.ehloTLS)
	} else {
		c.reply(c.cfg.ehlo)
	}
	return nil
}

// greet records the client's name and resets the transaction.
func (c *conn) greet(arg []byte) error {
	if len(arg) == 0 || len(arg) > maxDomain {
		return errHeloSyntax
	}
	if string(arg) != c.heloName {
		c.heloName = string(arg)
	}
	c.resetTx()
	return nil
}

// mail handles MAIL FROM:<reverse-path> [params] (RFC 5321 4.1.1.2).
func (c *conn) mail(arg []byte) error {
	if !hasPrefixFold(arg, "FROM:") {
		return errMailSyntax
	}
	path, params, ok := splitPath(arg[len("FROM:"):])
	if !ok {
		return errMailSyntax
	}
	if err := c.mailParams(params); err != nil {
		c.tx.sizeHint, c.tx.utf8 = 0, false
		return err
	}
	addr, err := parseAddress(path, true, c.tx.utf8)
	if err != nil {
		c.tx.sizeHint, c.tx.utf8 = 0, false
		return err
	}
	c.tx.from = string(addr)
	c.state = stateMail
	c.reply(replyMailOK)
	return nil
}

// Parameters seen on one MAIL command, to refuse duplicates.
const (
	paramSize = 1 << iota
	paramBody
	paramUTF8
	paramAuth
)

// mailParams validates the MAIL parameters (RFC 5321 4.1.2 esmtp-param)
// and applies SIZE= (RFC 1870) and SMTPUTF8 (RFC 6531) to the transaction.
func (c *conn) mailParams(params []byte) error {
	seen := 0
	for params = trimSpace(params); len(params) > 0; params = trimSpace(params) {
		var p []byte
		p, params, _ = bytes.Cut(params, []byte{' '})
		key, value, hasValue := bytes.Cut(p, []byte{'='})
		if !validParam(key, value, hasValue) {
			return errParamSyntax
		}
		var bit int
		switch {
		case equalFold(key, "SIZE"):
			bit = paramSize
			n, ok := parseDigits(value)
			if !ok {
				return errParamSyntax
			}
			if n > c.cfg.maxSize {
				return errTooLarge
			}
			c.tx.sizeHint = n
		case equalFold(key, "BODY"):
			bit = paramBody
			if !equalFold(value, "7BIT") && !equalFold(value, "8BITMIME") {
				return errParamBody
			}
		case equalFold(key, "SMTPUTF8"):
			bit = paramUTF8
			if hasValue {
				return errParamSyntax
			}
			c.tx.utf8 = true
		case equalFold(key, "AUTH"):
			bit = paramAuth // RFC 4954 5: accepted and ignored
			if !hasValue {
				return errParamSyntax
			}
		default:
			return errParamUnknown
		}
		if seen&bit != 0 {
			return errParamDup
		}
		seen |= bit
	}
	return nil
}

// validParam checks esmtp-keyword ["=" esmtp-value] (RFC 5321 4.1.2),
// allowing UTF-8 in values (RFC 6531 3.3).
func validParam(key, value []byte, hasValue bool) bool {
	if len(key) == 0 || hasValue && len(value) == 0 {
		return false
	}
	for i, b := range key {
		alnum := 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9'
		if !alnum && (b != '-' || i == 0) {
			return false
		}
	}
	for _, b := range value {
		if b <= ' ' || b == '=' || b == 0x7f {
			return false
		}
	}
	return utf8.Valid(value)
}

// parseDigits parses a decimal number of at most 18 digits.
func parseDigits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, d := range b {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int64(d-'0')
	}
	return n, true
}

// rcpt handles RCPT TO:<forward-path> (RFC 5321 4.1.1.3).
func (c *conn) rcpt(arg []byte) error {
	if !hasPrefixFold(arg, "TO:") {
		return errRcptSyntax
	}
	path, params, ok := splitPath(arg[len("TO:"):])
	if !ok {
		return errRcptSyntax
	}
	if params = trimSpace(params); len(params) > 0 {
		return errParamUnknown // NOTIFY and ORCPT belong to DSN, not offered
	}
	addr, err := parseAddress(path, false, c.tx.utf8)
	if err != nil {
		return err
	}
	if len(c.tx.rcpts) >= c.cfg.maxRcpts {
		return errTooManyRcpts
	}
	if c.tx.rcpts == nil {
		c.tx.rcpts = make([]string, 0, 2)
	}
	c.tx.rcpts = append(c.tx.rcpts, string(addr))
	c.state = stateRcpt
	c.reply(replyRcptOK)
	return nil
}

// rset handles RSET (RFC 5321 4.1.1.5).
func (c *conn) rset(arg []byte) error {
	if len(arg) > 0 {
		return errNoArgs
	}
	c.resetTx()
	c.reply(replyOK)
	return nil
}

// noop handles NOOP; its argument is ignored (RFC 5321 4.1.1.9).
func (c *conn) noop([]byte) error {
	c.reply(replyOK)
	return nil
}

// vrfy handles VRFY with 252: nothing is verified, everything accepted.
func (c *conn) vrfy(arg []byte) error {
	if len(arg) == 0 {
		return errVrfySyntax
	}
	c.reply(replyVrfy)
	return nil
}

// help handles HELP, whatever the argument.
func (c *conn) help([]byte) error {
	c.reply(replyHelp)
	return nil
}

// quitCmd handles QUIT.
func (c *conn) quitCmd([]byte) error {
	c.reply(replyBye)
	c.quit = true
	return nil
}

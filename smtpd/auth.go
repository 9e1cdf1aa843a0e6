package smtpd

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"intray/internal/sasl"
)

// Replies of AUTH and STARTTLS.
const (
	replyAuthOK     = "235 2.7.0 Authentication successful\r\n"
	replyStartTLS   = "220 2.0.0 Ready to start TLS\r\n"
	promptEmpty     = ""
	promptUsername  = "VXNlcm5hbWU6" // "Username:"
	promptPassword  = "UGFzc3dvcmQ6" // "Password:"
	maxAuthIdentity = 1024
)

// auth handles AUTH mechanism [initial-response] (RFC 4954). Every
// credential is accepted; the authentication identity is recorded. An
// identity with a control byte is refused as malformed (501).
func (c *conn) auth(arg []byte) error {
	if c.authed {
		return errAlreadyAuth
	}
	mech, ir, hasIR := cut(arg)
	var user []byte
	var err error
	switch {
	case equalFold(mech, "PLAIN"):
		user, err = c.authPlain(ir, hasIR)
	case equalFold(mech, "LOGIN"):
		user, err = c.authLogin(ir, hasIR)
	case equalFold(mech, "CRAM-MD5"):
		if hasIR {
			return errAuthNoIR
		}
		user, err = c.authCramMD5()
	default:
		return errAuthMechanism
	}
	if err != nil {
		return err
	}
	if !sasl.ValidIdentity(user) {
		return errAuthMalformed
	}
	c.authed = true
	c.authUser = strings.ToValidUTF8(string(user[:min(len(user), maxAuthIdentity)]), "\uFFFD")
	c.reply(replyAuthOK)
	return nil
}

// authPlain runs RFC 4616 PLAIN (sasl.ParsePlain); the authentication
// identity (authcid) is the user.
func (c *conn) authPlain(ir []byte, hasIR bool) ([]byte, error) {
	resp, err := c.authResponse(ir, hasIR, promptEmpty)
	if err != nil {
		return nil, err
	}
	_, authc, _, ok := sasl.ParsePlain(resp)
	if !ok {
		return nil, errAuthMalformed
	}
	return []byte(authc), nil
}

// authLogin runs the LOGIN mechanism: a user name, then a password.
func (c *conn) authLogin(ir []byte, hasIR bool) ([]byte, error) {
	user, err := c.authResponse(ir, hasIR, promptUsername)
	if err != nil {
		return nil, err
	}
	user = bytes.Clone(user) // the next read reuses the buffer
	if _, err := c.authResponse(nil, false, promptPassword); err != nil {
		return nil, err
	}
	return user, nil
}

// authCramMD5 runs RFC 2195 CRAM-MD5: the response is "user digest"; the
// digest is not checked.
func (c *conn) authCramMD5() ([]byte, error) {
	b := make([]byte, 0, 64)
	b = append(b, '<')
	b = strconv.AppendUint(b, c.srv.challenge.Add(1), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, time.Now().UnixNano(), 10)
	b = append(b, '@')
	b = append(b, c.cfg.hostname...)
	b = append(b, '>')
	resp, err := c.authResponse(nil, false, base64.StdEncoding.EncodeToString(b))
	if err != nil {
		return nil, err
	}
	i := bytes.LastIndexByte(resp, ' ')
	if i <= 0 {
		return nil, errAuthMalformed
	}
	return resp[:i], nil
}

// authResponse returns the decoded initial response if the client gave
// one, or sends "334 prompt" and reads and decodes the client's answer.
// "*" cancels (RFC 4954 4); "=" is an empty initial response.
func (c *conn) authResponse(ir []byte, hasIR bool, prompt string) ([]byte, error) {
	line := ir
	if !hasIR {
		c.reply("334 " + prompt + "\r\n")
		l, err := c.lr.ReadLine()
		if err != nil {
			return nil, c.skipPartial(err)
		}
		line = trimSpace(trimEOL(l))
	} else if string(ir) == "=" {
		return nil, nil
	}
	if string(line) == "*" {
		return nil, errAuthCancelled
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(line)))
	n, err := base64.StdEncoding.Decode(out, line)
	if err != nil {
		return nil, errAuthBase64
	}
	return out[:n], nil
}

// starttls handles STARTTLS (RFC 3207): it answers 220, drops any input the
// client pipelined behind the command (it was sent in clear text and must
// not be taken as sent over TLS), runs the handshake and forgets
// everything the client said before (HELO, AUTH, transaction).
func (c *conn) starttls(arg []byte) error {
	switch {
	case c.tls:
		return errAlreadyTLS
	case c.srv.TLSConfig == nil:
		return errNoTLS
	case len(arg) > 0:
		return errNoArgs
	}
	c.reply(replyStartTLS)
	if err := c.bw.Flush(); err != nil {
		return err
	}
	_, _ = c.br.Discard(c.br.Buffered())
	if !c.startTLS() {
		c.quit = true
		return nil
	}
	c.heloName, c.authed, c.authUser = "", false, ""
	c.resetTx()
	return nil
}

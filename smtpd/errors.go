package smtpd

import (
	"errors"
	"io"
	"net"
	"os"

	"intray/internal/srvkit"
	"intray/memstore"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Shutdown or
// Close. It is srvkit.ErrServerClosed, shared by every intray server.
var ErrServerClosed = srvkit.ErrServerClosed

// replyError is an SMTP error reply, returned by command handlers and
// written by (*conn).fail. line is the whole reply, code and enhanced code
// (RFC 3463) included, ending in CRLF.
type replyError struct {
	line string
	// strike counts the reply towards maxErrors: syntax and sequence errors
	// do; answers a well-behaved client can provoke (452, 552) do not.
	strike bool
}

func (e *replyError) Error() string { return "smtp reply: " + e.line[:len(e.line)-2] }

// perr is a protocol error that counts towards maxErrors; rerr is one that
// does not.
func perr(line string) *replyError { return &replyError{line: line + "\r\n", strike: true} }
func rerr(line string) *replyError { return &replyError{line: line + "\r\n"} }

// Error replies, by RFC 5321 reply code and RFC 3463 enhanced code.
var (
	errUnknownCommand = perr("500 5.5.1 Command unrecognized")
	errLineTooLong    = perr("500 5.5.2 Line too long")
	errBadLine        = perr("500 5.5.2 Syntax error: bare CR or NUL in command")
	errNotImplemented = perr("502 5.5.1 Command not implemented")
	errNoArgs         = perr("501 5.5.4 No arguments allowed")
	errHeloSyntax     = perr("501 5.5.4 Syntax: EHLO domain")
	errMailSyntax     = perr("501 5.5.4 Syntax: MAIL FROM:<address>")
	errRcptSyntax     = perr("501 5.5.4 Syntax: RCPT TO:<address>")
	errVrfySyntax     = perr("501 5.5.4 Syntax: VRFY address")
	errBdatSyntax     = perr("501 5.5.4 Syntax: BDAT size [LAST]")
	errBadSender      = perr("501 5.1.7 Bad sender address syntax")
	errBadRecipient   = perr("501 5.1.3 Bad recipient address syntax")
	errNeedUTF8       = perr("553 5.6.7 Non-ASCII address requires SMTPUTF8")
	errParamSyntax    = perr("501 5.5.4 Bad parameter syntax")
	errParamDup       = perr("501 5.5.4 Duplicate parameter")
	errParamBody      = perr("501 5.5.4 BODY must be 7BIT or 8BITMIME")
	errParamUnknown   = perr("555 5.5.4 Unsupported parameter")
	errNestedMail     = perr("503 5.5.1 Sender already specified")
	errNeedMail       = perr("503 5.5.1 Need MAIL first")
	errNeedRcpt       = perr("503 5.5.1 Need RCPT first")
	errBdatSequence   = rerr("503 5.5.1 No transaction for BDAT")
	errDataAfterBdat  = perr("503 5.5.1 DATA not allowed after BDAT")
	errInTransaction  = perr("503 5.5.1 Not allowed during a mail transaction")
	errTooManyRcpts   = rerr("452 4.5.3 Too many recipients")
	errTooLarge       = rerr("552 5.3.4 Message size exceeds fixed limit")
	errStoreFailed    = rerr("451 4.3.0 Local error in processing")
	errNoTLS          = perr("454 4.7.0 TLS not available")
	errAlreadyTLS     = perr("503 5.5.1 Already running TLS")
	errAlreadyAuth    = perr("503 5.5.1 Already authenticated")
	errAuthMechanism  = perr("504 5.5.4 Unrecognized authentication type")
	errAuthCancelled  = perr("501 5.0.0 Authentication cancelled")
	errAuthBase64     = perr("501 5.5.2 Cannot decode response")
	errAuthMalformed  = perr("501 5.5.2 Malformed authentication response")
	errAuthNoIR       = perr("501 5.7.0 Initial response not allowed for CRAM-MD5")
)

// Replies that end the session; written by the connection itself.
const (
	replyTooManyErrors = "421 4.7.0 Too many errors, closing connection\r\n"
	replyShutdown      = "421 4.3.2 Service shutting down\r\n"
	replyIdle          = "421 4.4.2 Idle timeout, closing connection\r\n"
	replyInternal      = "421 4.3.0 Internal error, closing connection\r\n"
	replyTooBusy       = "421 4.7.0 Too many connections, try again later\r\n"
)

// storeError maps an error from Store.Add to its reply.
func storeError(err error) *replyError {
	switch {
	case errors.Is(err, memstore.ErrTooLarge):
		return errTooLarge
	}
	return errStoreFailed
}

// isDisconnect reports whether err means the client went away or the
// connection is unusable, so the session should end without a reply.
func isDisconnect(err error) bool {
	var ioe *ioError
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.As(err, &ioe)
}

// isTimeout reports whether err is an expired read deadline or the
// tracker's shutdown wake-up.
func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, srvkit.ErrShuttingDown)
}

// fail answers a handler's or reader's error and decides whether the
// session goes on. Protocol errors count towards maxErrors; timeouts and
// shutdown say goodbye; broken connections end quietly; anything else is
// logged and answered generically, never shown to the client.
func (c *conn) fail(err error) {
	var re *replyError
	switch {
	case errors.As(err, &re):
		c.reply(re.line)
		if re.strike {
			c.errs++
			if c.errs >= maxErrors {
				c.writeNow(replyTooManyErrors)
				c.quit = true
			}
		}
		return
	case errors.Is(err, srvkit.ErrLineTooLong):
		c.fail(errLineTooLong)
		return
	case isTimeout(err):
		if c.tc.ShuttingDown() {
			c.writeNow(replyShutdown)
		} else {
			c.writeNow(replyIdle)
		}
	case isDisconnect(err):
	default:
		c.srv.logger().Error("smtp session error", "remote", c.remote, "err", err)
		c.writeNow(replyInternal)
	}
	c.quit = true
}

package imapd

import (
	"errors"

	"intray/memstore"
)

// respError is an error that a command ends with, as the client sees it: a
// tagged NO or BAD with an optional response code (RFC 3501 7.1).
type respError struct {
	kind  string // "NO" or "BAD"
	code  string // response code without brackets, "" for none
	text  string
	fatal bool // the connection ends after the response
	// counts makes a NO count towards the bad-command limit like a BAD
	// (a refused login: guessing passwords ends the session).
	counts bool
}

func (e *respError) Error() string {
	if e.code != "" {
		return e.kind + " [" + e.code + "] " + e.text
	}
	return e.kind + " " + e.text
}

// bad is a syntax or protocol-state error.
func bad(text string) error { return &respError{kind: "BAD", text: text} }

// no is a failure of a well-formed command.
func no(code, text string) error { return &respError{kind: "NO", code: code, text: text} }

// Errors with a fixed response.
var (
	errNoMailbox = no("NONEXISTENT", "No such mailbox")
	errReadOnly  = no("READ-ONLY", "Mailbox is read-only")
	errBadSeq    = bad("Invalid message sequence number")
	// errAuthFailed refuses a login when Server.Passwords is set; it does
	// not say whether the user or the password was wrong.
	errAuthFailed = &respError{kind: "NO", code: "AUTHENTICATIONFAILED", text: "Invalid credentials", counts: true}
)

// status maps any error a command returned to the response that ends it:
// a *respError as it is, memstore's sentinel errors to their NO, and
// anything else to a generic NO (logged by the caller; internals never reach
// the client). unknown reports that last case.
func status(err error) (re *respError, unknown bool) {
	if errors.As(err, &re) {
		return re, false
	}
	switch {
	case errors.Is(err, memstore.ErrNoMailbox):
		return errNoMailbox.(*respError), false
	case errors.Is(err, memstore.ErrExists):
		return &respError{kind: "NO", code: "ALREADYEXISTS", text: "Mailbox already exists"}, false
	case errors.Is(err, memstore.ErrInvalidName):
		return &respError{kind: "NO", code: "CANNOT", text: "Invalid mailbox name"}, false
	case errors.Is(err, memstore.ErrInboxReserved):
		return &respError{kind: "NO", code: "CANNOT", text: "INBOX cannot be deleted"}, false
	case errors.Is(err, memstore.ErrTooLarge):
		return &respError{kind: "NO", code: "TOOBIG", text: "Message too large for the store"}, false
	case errors.Is(err, memstore.ErrNotFound):
		return &respError{kind: "NO", code: "NONEXISTENT", text: "No such message"}, false
	}
	return &respError{kind: "NO", code: "SERVERBUG", text: "Internal server error"}, true
}

// tryCreate turns "no such mailbox" into NO [TRYCREATE], the answer COPY,
// MOVE and APPEND give for a missing destination (RFC 3501 6.3.11).
func tryCreate(err error) error {
	if errors.Is(err, memstore.ErrNoMailbox) {
		return no("TRYCREATE", "No such mailbox")
	}
	return err
}

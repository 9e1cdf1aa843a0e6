// Package pop3d is intray's POP3 server: it serves the mail held in a
// memstore to POP3 clients.
//
// It implements RFC 1939 (USER, PASS, APOP, STAT, LIST, RETR, DELE, NOOP,
// RSET, QUIT, TOP, UIDL and the AUTHORIZATION, TRANSACTION and UPDATE
// states), RFC 2449 (CAPA with TOP, UIDL, USER, SASL PLAIN, RESP-CODES,
// AUTH-RESP-CODE, PIPELINING, STLS, EXPIRE NEVER, LOGIN-DELAY 0,
// IMPLEMENTATION), RFC 5034 (AUTH with the PLAIN mechanism of RFC 4616,
// with an initial response or a continuation; AUTH alone lists the
// mechanisms), RFC 2595 (STLS; implicit TLS with Server.ImplicitTLS) and
// the response codes of RFC 3206.
//
// The mailbox model is intray's: a login name that contains '@' opens that
// recipient's INBOX, any other name the catch-all view of every message.
// Any password, APOP digest or PLAIN credentials are accepted unless
// Server.Passwords is set; then they are checked, and a refused login gets
// "-ERR [AUTH]" and counts as a bad command. The maildrop
// is a snapshot of the INBOX taken at login; DELE only marks, RSET unmarks,
// and QUIT commits the marks with Store.Remove (in the catch-all that
// removes a message everywhere, in a recipient's mailbox from that mailbox
// only). A session that ends any other way (dropped connection, idle
// timeout, shutdown) commits nothing.
//
// Decisions:
//   - Sizes in STAT, LIST and "+OK N octets" are the stored size in octets,
//     before byte-stuffing. A stored message that does not end with CRLF is
//     sent with CRLF added before the terminating "." line; the added CRLF
//     is not counted.
//   - UIDL values are "<UIDVALIDITY>.<UID>" of the message in its mailbox:
//     unique within the maildrop, stable across sessions, never reused.
//   - A message deleted elsewhere (another session's QUIT, IMAP, the web
//     UI, the API) after the snapshot stays listed, but RETR and TOP answer
//     -ERR with the SYS/PERM response code of RFC 3206 (retrying cannot
//     help) and "message N was deleted by another session"; the session
//     goes on.
//   - Sessions never lock the maildrop: several sessions may open the same
//     mailbox at once, so the IN-USE response code is never sent.
//   - A command line may be up to 1020 octets with its CRLF (RFC 2449
//     allows 255; we are lenient), a SASL response line up to 8192. Longer lines get -ERR.
//     After 10 bad commands in a row (unknown, misplaced, malformed) the
//     server says so and hangs up.
//
// Left out on purpose: the maildrop lock of RFC 1939, LOGIN-DELAY and
// EXPIRE policies other than "0" and "NEVER", SASL mechanisms other than
// PLAIN (no LOGIN, CRAM-MD5 or SCRAM: a sandbox's credentials are test
// credentials), and the UTF8 and LANG extensions of RFC 6856.
package pop3d

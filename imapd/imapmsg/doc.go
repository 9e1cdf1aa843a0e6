// Package imapmsg renders the message-dependent parts of IMAP FETCH
// responses for intray's IMAP server: ENVELOPE, BODY and BODYSTRUCTURE
// (RFC 3501 7.4.2), BODY[section]<partial> (RFC 3501 6.4.5) and the string
// forms of the formal syntax (RFC 3501 9: atom, astring, quoted, literal,
// nstring). It works on a raw message and the MIME tree that
// intray/memstore/mimepart built for it, and appends IMAP syntax to a
// caller-owned []byte so that FETCH 1:* can render thousands of messages
// into one reused buffer without fmt and with few allocations.
//
// Conventions, chosen to match what Dovecot, Cyrus and Gmail send and what
// clients parse:
//   - ENVELOPE fields come from the raw header values, unfolded but not
//     decoded (clients decode RFC 2047 themselves, RFC 3501 7.4.2). Sender
//     and Reply-To default to From. Addresses are parsed leniently
//     (RFC 5322 3.4 with the obsolete forms of 4.4): groups become the
//     RFC 3501 group markers, display names lose their quoting, a comment
//     stands in for a missing display name, and a broken address keeps its
//     place with "MISSING_MAILBOX" / "MISSING_DOMAIN" (Dovecot's
//     placeholders) instead of a NIL host, which would mean a group.
//   - BODYSTRUCTURE sends media types, subtypes, parameter names,
//     disposition types and transfer encodings in upper case, the form of
//     the RFC 3501 examples; parameter values as found, in header order.
//     A text part without a charset gets ("CHARSET" "US-ASCII") (RFC 2045
//     5.2). body-fld-lines counts LF octets like Dovecot: a last line
//     without a line ending is not counted. A parameter value with 8-bit
//     characters (RFC 2231 decoded) is sent as one RFC 2047 encoded word.
//   - A message/rfc822 part whose body is base64 or quoted-printable
//     encoded cannot be indexed in place by mimepart; its envelope and
//     body structure are rendered from the decoded body, but its inner
//     parts are not addressable as sections (they extract as empty).
//   - Strings are quoted when they are short 7-bit text without CR, LF or
//     NUL, otherwise sent as literals; NUL octets are dropped from strings
//     (RFC 3501 9 CHAR8 excludes them). Literal message data is sent as
//     stored.
//
// Left out on purpose: UTF8=ACCEPT (RFC 6855) quoting, BINARY (RFC 3516)
// sections and literal8, and any decoding of header values.
//
// All functions are safe for concurrent use. Byte slices returned by
// Section.Extract may alias the raw message and must not be modified.
package imapmsg

// Package mimepart parses the MIME structure of a raw RFC 5322 message held in
// memory, for intray's ingest path (summary fields), the HTTP API (headers,
// bodies, parts, links) and the IMAP server (ENVELOPE, BODYSTRUCTURE and
// BODY[section]<partial>).
//
// The parser never copies bodies and never fails: every Part records byte
// offsets into the raw message, so raw[p.HeaderStart:p.HeaderEnd] is exactly
// IMAP BODY[n.MIME] (or BODY[HEADER] of a message) and
// raw[p.BodyStart:p.BodyEnd] is exactly BODY[n].
//
// Implemented:
//   - RFC 5322: header fields, folding (2.2.3), the blank line that ends the
//     header, obsolete whitespace before the colon (4.5);
//   - RFC 2045: Content-Type defaults (5.2), Content-Transfer-Encoding
//     (base64 decoded leniently, quoted-printable per 6.7 with lenient soft
//     breaks), Content-ID, Content-Description;
//   - RFC 2046: multipart delimiters and the CRLF that belongs to them
//     (5.1.1), multipart/digest's message/rfc822 default (5.1.5),
//     message/rfc822 encapsulation (5.2.1);
//   - RFC 2047: encoded words in header values and, leniently, in parameters;
//   - RFC 2231: parameter continuations, charset'language'value and
//     percent-encoding;
//   - RFC 2183 Content-Disposition, RFC 3066 Content-Language, RFC 2557
//     Content-Location, RFC 1864 Content-MD5 (as strings);
//   - RFC 3501 6.4.5 section numbering, including message/rfc822 parts.
//
// Malformed input degrades the way Dovecot, Python's email package and
// go-message do: a multipart without a usable boundary is a text/plain leaf
// (RFC 2045 5.2), a missing close delimiter ends the last part at the end of
// its parent, header lines with a bad field name are skipped, a line without a
// colon ends the header (even without the blank line), and LF-only line
// endings are accepted wherever CRLF is.
//
// Left out on purpose: writing or re-encoding messages (go-message does that),
// uuencode and BinHex, S/MIME and PGP structure, TNEF, charset guessing beyond
// "invalid UTF-8 is windows-1252", and decoding message/rfc822 parts that are
// themselves base64 or quoted-printable encoded (their offsets could not index
// the raw message; such a part has no Embedded message).
//
// Charsets: UTF-8, US-ASCII, ISO-8859-1/2/5/7/9/15, windows-1250..1254 and
// KOI8-R/U are built in. Anything else (ISO-2022-JP, Shift_JIS, GB18030,
// Big5, UTF-16, ...) goes through go-message's message.CharsetReader, which is
// set by importing github.com/emersion/go-message/charset anywhere in the
// binary. Without it such text is returned undecoded with ErrUnknownCharset.
//
// All functions are safe for concurrent use; a *Part is immutable after Parse
// returns and must not be modified by callers that share it.
package mimepart

// Bounds on what one Parse builds, so that hostile input cannot make it
// allocate or recurse without limit (deeply nested MIME was a real denial of
// service, Dovecot CVE-2020-12100, which led Dovecot to cap nesting at 100 and
// parts at 10000). Real mail nests a handful of levels and rarely has more
// than a few dozen parts.
const (
	// MaxDepth is the deepest nesting of multiparts and encapsulated
	// messages that Parse descends into; a multipart or message/rfc822 part
	// at this depth becomes an application/octet-stream leaf.
	MaxDepth = 32
	// MaxParts is the most parts Parse creates for one message; once
	// reached, a multipart stops splitting and its remaining body parts are
	// not represented.
	MaxParts = 1000
	// MaxHeaderFields is the most fields recorded in one part's header;
	// further lines are still scanned (offsets stay exact) but not kept. A
	// 25 MiB message of "a:" lines would otherwise become millions of Fields.
	MaxHeaderFields = 2000
	// maxBoundary bounds a multipart boundary. RFC 2046 5.1.1 allows 70
	// characters; longer ones occur in the wild, so allow some slack.
	maxBoundary = 256
)

// Package sasl holds what the SMTP, POP3 and IMAP servers share of
// authentication: the RFC 4616 PLAIN message and the password check.
package sasl

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
)

// ParsePlain splits a decoded PLAIN message, "authzid NUL authcid NUL
// passwd" (RFC 4616 2). The authentication identity (authcid) is required,
// and neither identity may hold a control byte (below 0x20, or DEL): the
// identities are logged, stored with messages and shown in the web inbox,
// so they must not carry line breaks or terminal escapes. ok is false for
// anything else.
func ParsePlain(msg []byte) (authz, authc, pass string, ok bool) {
	parts := bytes.Split(msg, []byte{0})
	if len(parts) != 3 || len(parts[1]) == 0 || !ValidIdentity(parts[0]) || !ValidIdentity(parts[1]) {
		return "", "", "", false
	}
	return string(parts[0]), string(parts[1]), string(parts[2]), true
}

// ValidIdentity reports whether an identity is free of control bytes.
func ValidIdentity(id []byte) bool {
	for _, b := range id {
		if b < 0x20 || b == 0x7f {
			return false
		}
	}
	return true
}

// PasswordOK reports whether pass is user's password as passwords gives it
// (ok false: an unknown user). The comparison takes the same time whatever
// the password and whether the user exists: both sides are hashed first,
// so lengths do not leak either.
func PasswordOK(passwords func(user string) (pass string, ok bool), user, pass string) bool {
	want, known := passwords(user)
	a, b := sha256.Sum256([]byte(want)), sha256.Sum256([]byte(pass))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1 && known
}

// Package fold finds a substring ignoring ASCII case, fast: the search that
// the HTTP API's q language and IMAP SEARCH run over every message. It
// jumps between occurrences of the needle's rarest byte with IndexByte,
// which is vectorised: a digit or punctuation needs one scan, a letter two
// (both cases), and a rare letter skips far more than a common first one.
package fold

import (
	"bytes"
	"strings"
)

// Index returns the first index of lower (ASCII, already lower-case) in b,
// ignoring ASCII case, or -1.
func Index(b []byte, lower string) int { return index(b, lower, bytes.IndexByte) }

// IndexString is Index for a string haystack.
func IndexString(s, lower string) int { return index(s, lower, strings.IndexByte) }

func index[T string | []byte](h T, lower string, indexByte func(T, byte) int) int {
	n := len(lower)
	if n == 0 {
		return 0
	}
	p := rarestByte(lower)
	lo := lower[p]
	up := lo
	if 'a' <= lo && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	// Candidates for h[start+p]; start ranges over [0, len(h)-n].
	for i := p; i <= len(h)-n+p; {
		window := h[i : len(h)-n+p+1]
		j := indexByte(window, lo)
		if up != lo {
			lim := window
			if j >= 0 {
				lim = window[:j]
			}
			if k := indexByte(lim, up); k >= 0 {
				j = k
			}
		}
		if j < 0 {
			return -1
		}
		start := i + j - p
		if equal(h[start:start+n], lower) {
			return start
		}
		i += j + 1
	}
	return -1
}

// equal reports whether h equals lower ignoring ASCII case.
func equal[T string | []byte](h T, lower string) bool {
	for i := 0; i < len(lower); i++ {
		c := h[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// byteRarity orders lower-case letters from rare to common in English
// text; other bytes except space count as rarer than any letter.
const byteRarity = "qjzxkvbpygfwmucldrhsnioate"

// rarestByte returns the index of the byte of lower that is likely rarest.
func rarestByte(lower string) int {
	best, bestRank := 0, 1<<30
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		rank := 0
		switch {
		case c == ' ':
			rank = 100
		case 'a' <= c && c <= 'z':
			rank = 1 + strings.IndexByte(byteRarity, c)
		}
		if rank < bestRank {
			best, bestRank = i, rank
		}
	}
	return best
}

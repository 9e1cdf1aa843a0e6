package memstore

import "math/rand/v2"

// index finds stored messages by ID. An ID encodes the message's arrival
// number through a keyed bijection, so IDs never repeat, cannot collide, and
// look random; and the index is an array in arrival order instead of a hash
// map. Adding a message touches the end of the array rather than a random
// place in a large table, which is what an ingest-heavy store does most, and
// it costs 8 bytes a message instead of a map entry.
//
// The array is split into pages of pageSlots. A page is freed once every
// message on it is gone, so deleting messages in any order gives memory
// back, and eviction (oldest first) also trims the page list.
type index struct {
	k0, k1 uint64 // keys of the bijection, random per store
	next   uint64 // arrival number of the next message, from 1
	base   uint64 // arrival number of the first slot of pages[0]
	pages  []*indexPage
	count  int // messages indexed
}

const pageSlots = 1024

type indexPage struct {
	slots [pageSlots]*Message
	count int // non-nil slots
}

func newIndex() index {
	return index{k0: rand.Uint64(), k1: rand.Uint64(), next: 1, base: 1}
}

// add gives m a fresh ID and indexes it.
func (x *index) add(m *Message) {
	n := x.next
	x.next++
	m.ID = encodeID(scramble(n, x.k0, x.k1))
	i := n - x.base
	if p := int(i / pageSlots); p == len(x.pages) {
		x.pages = append(x.pages, new(indexPage))
	}
	pg := x.pages[i/pageSlots]
	pg.slots[i%pageSlots] = m
	pg.count++
	x.count++
}

// get returns the message with the given ID, or nil.
func (x *index) get(id string) *Message {
	p, slot, ok := x.locate(id)
	if !ok {
		return nil
	}
	return x.pages[p].slots[slot]
}

// remove drops m from the index; it reports whether m was there.
func (x *index) remove(m *Message) bool {
	p, slot, ok := x.locate(m.ID)
	if !ok || x.pages[p].slots[slot] != m {
		return false
	}
	pg := x.pages[p]
	pg.slots[slot] = nil
	pg.count--
	x.count--
	if pg.count == 0 && p < len(x.pages)-1 {
		x.pages[p] = nil // the last page stays: add fills it next
	}
	for len(x.pages) > 1 && x.pages[0] == nil {
		x.pages = x.pages[1:]
		x.base += pageSlots
	}
	return true
}

// locate finds the place of the message with the given ID: its page's
// position in pages and its slot there. ok is false for an ID the index
// never handed out or whose page is gone.
func (x *index) locate(id string) (p, slot int, ok bool) {
	v, valid := decodeID(id)
	if !valid {
		return 0, 0, false
	}
	n := unscramble(v, x.k0, x.k1)
	if n < x.base || n >= x.next {
		return 0, 0, false
	}
	i := n - x.base
	p = int(i / pageSlots)
	if p >= len(x.pages) || x.pages[p] == nil {
		return 0, 0, false
	}
	return p, int(i % pageSlots), true
}

// reset forgets every message; arrival numbers go on, so no ID is reused.
func (x *index) reset() {
	x.pages = nil
	x.base = x.next - (x.next-x.base)%pageSlots
	x.count = 0
}

// The bijection on 64-bit numbers: xor with a key, then the SplitMix64
// finaliser (multiplications by odd constants and xor-shifts, each
// invertible), then xor with a second key.
const (
	mix1 = 0xbf58476d1ce4e5b9
	mix2 = 0x94d049bb133111eb
)

func scramble(v, k0, k1 uint64) uint64 {
	v ^= k0
	v ^= v >> 30
	v *= mix1
	v ^= v >> 27
	v *= mix2
	v ^= v >> 31
	return v ^ k1
}

func unscramble(v, k0, k1 uint64) uint64 {
	v ^= k1
	v = unshift(v, 31)
	v *= inverse(mix2)
	v = unshift(v, 27)
	v *= inverse(mix1)
	v = unshift(v, 30)
	return v ^ k0
}

// unshift inverts v ^= v >> s.
func unshift(v uint64, s uint) uint64 {
	out := v
	for shift := s; shift < 64; shift += s {
		out ^= v >> shift
	}
	return out
}

// inverse returns the multiplicative inverse of an odd c modulo 2^64
// (Newton's iteration: each step doubles the correct low bits).
func inverse(c uint64) uint64 {
	x := c // correct to 3 bits for odd c
	for range 5 {
		x *= 2 - c*x
	}
	return x
}

// idAlphabet is base64url: IDs are safe in URLs and file names.
const idAlphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"

// idLen is the length of an ID: 11 characters of 6 bits hold 64 bits.
const idLen = 11

// encodeID writes v as 11 characters, least significant 6 bits first.
func encodeID(v uint64) string {
	var b [idLen]byte
	for i := range b {
		b[i] = idAlphabet[v&63]
		v >>= 6
	}
	return string(b[:])
}

// decodeID is the inverse of encodeID; ok is false for anything encodeID
// cannot return.
func decodeID(id string) (v uint64, ok bool) {
	if len(id) != idLen {
		return 0, false
	}
	for i := idLen - 1; i >= 0; i-- {
		d := idDigit(id[i])
		if d < 0 || (i == idLen-1 && d > 15) { // the last character holds 4 bits
			return 0, false
		}
		v = v<<6 | uint64(d)
	}
	return v, true
}

func idDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 36
	case c == '-':
		return 62
	case c == '_':
		return 63
	}
	return -1
}

package memstore

import (
	"sync"
	"weak"
)

// DefaultTreeCache is how many parsed MIME trees a store keeps cached. A
// tree costs a few KiB for a small message; 16,384 of them bound the cache
// to tens of MiB while an IMAP client's FETCH of a large mailbox still finds
// every tree it parsed a moment ago.
const DefaultTreeCache = 16384

// treeCache remembers which messages hold a cached tree, in the order they
// were parsed, and drops the oldest tree when a new one would exceed the
// bound. It holds weak pointers, so it never keeps a deleted message alive.
// Safe for concurrent use.
type treeCache struct {
	mu   sync.Mutex // guards ring and next
	ring []weak.Pointer[Message]
	next int
}

func newTreeCache(n int) *treeCache {
	return &treeCache{ring: make([]weak.Pointer[Message], n)}
}

// add records that m now caches its tree, uncaching the oldest such tree.
func (c *treeCache) add(m *Message) {
	c.mu.Lock()
	old := c.ring[c.next].Value()
	c.ring[c.next] = weak.Make(m)
	c.next = (c.next + 1) % len(c.ring)
	c.mu.Unlock()
	if old != nil && old != m {
		old.tree.Store(nil)
	}
}

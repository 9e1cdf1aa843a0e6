package memstore

import "sync"

// Message bytes are copied into large slabs rather than allocated one by
// one: at ingest rates of tens of thousands of messages a second, touching
// fresh memory page by page costs more than parsing the message, and a slab
// can be backed by huge pages where the OS allows it (see slab_linux.go).
// A slab is ordinary Go memory: it is freed when no message refers to it
// any more, so a long-lived message keeps its whole slab alive (bounded by
// eviction, which removes the oldest first).
const (
	slabSize      = 4 << 20  // bytes per slab
	slabMaxObject = 64 << 10 // larger messages get an allocation of their own
)

// slabs hands out space for message bytes. Safe for concurrent use.
type slabs struct {
	mu  sync.Mutex // guards cur
	cur []byte     // the unused tail of the current slab
}

// clone returns a copy of b in slab memory (or, for a large b, in an
// allocation of its own). The copy's capacity is its length.
func (a *slabs) clone(b []byte) []byte {
	if len(b) > slabMaxObject {
		return append(make([]byte, 0, len(b)), b...)
	}
	a.mu.Lock()
	if len(a.cur) < len(b) {
		a.cur = newSlab()
	}
	dst := a.cur[:len(b):len(b)]
	a.cur = a.cur[len(b):]
	a.mu.Unlock()
	copy(dst, b)
	return dst
}

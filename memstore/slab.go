package memstore

import (
	"sync"
	"unsafe"
)

// Message bytes are copied into large slabs rather than allocated one by
// one: at ingest rates of tens of thousands of messages a second, touching
// fresh memory page by page costs more than parsing the message, and a slab
// can be backed by huge pages where the OS allows it (see slab_linux.go).
// A slab is ordinary Go memory: it is freed when no message refers to it
// any more, so a long-lived message keeps its whole slab alive. Eviction
// bounds that: it removes the oldest first, and it counts the memory slabs
// hold against the byte limit (see Store.held).
const (
	slabSize      = 8 << 20  // bytes per slab
	slabMaxObject = 64 << 10 // larger messages get an allocation of their own
)

// prefaultStep is how much of a slab is made resident at a time, ahead of
// the bytes handed out (see prefault).
const prefaultStep = 2 << 20

// slab is the bookkeeping of one slab (or of a large message's own
// allocation): the store counts a slab's whole size as held for as long as
// any stored message has bytes in it, since none of it is freed before
// then (see Store.held).
type slab struct {
	size  int        // bytes
	live  int        // stored messages with bytes in it; guarded by Store.mu
	trees *treeCache // the store's tree cache, for Message.Tree
}

// slabs hands out space for message bytes. Safe for concurrent use.
type slabs struct {
	trees *treeCache // set once, before use: handed to every slab

	mu    sync.Mutex // guards cur, owner and ready
	cur   []byte     // the unused tail of the current slab
	owner *slab      // the current slab's bookkeeping
	ready int        // how many bytes at the front of cur are already resident
}

// alloc returns n bytes of slab memory (or, for a large n, an allocation of
// its own), with capacity n and every byte zero, and the slab they are in.
func (a *slabs) alloc(n int) ([]byte, *slab) {
	if n > slabMaxObject {
		return newLarge(n), &slab{size: n, trees: a.trees}
	}
	a.mu.Lock()
	if a.owner == nil || len(a.cur) < n { // the first, or a full slab
		a.cur, a.owner, a.ready = newSlab(), &slab{size: slabSize, trees: a.trees}, 0
	}
	owner := a.owner
	// Make the memory resident a step at a time, ahead of use: one system
	// call instead of a page fault per page the messages land on. Another
	// ingest may write into the step while it is made resident; that only
	// faults as it would have anyway.
	var step []byte
	if n > a.ready {
		step = a.cur[a.ready:min(len(a.cur), max(n, a.ready+prefaultStep))]
		a.ready += len(step)
	}
	dst := a.cur[:n:n]
	a.cur = a.cur[n:]
	a.ready -= n
	a.mu.Unlock()
	if step != nil {
		prefault(step)
	}
	return dst, owner
}

// packer copies bytes and strings one after another into a region from
// slabs.alloc. A message's bytes and its strings share one region: they
// cost no allocation each, sit in huge-page memory with the bytes, and give
// the garbage collector nothing to scan. Strings made by str point into the
// region and keep it alive like any other reference into a Go allocation.
type packer struct{ buf []byte }

// bytes copies b into the region.
func (p *packer) bytes(b []byte) []byte {
	n := copy(p.buf, b)
	out := p.buf[:n:n]
	p.buf = p.buf[n:]
	return out
}

// str copies s into the region and returns the copy.
func (p *packer) str(s string) string {
	if s == "" {
		return ""
	}
	n := copy(p.buf, s)
	out := unsafe.String(&p.buf[0], n)
	p.buf = p.buf[n:]
	return out
}

//go:build !linux

package memstore

func newSlab() []byte { return make([]byte, slabSize) }

func newLarge(n int) []byte { return make([]byte, n) }

// prefault does nothing here: pages fault in on first use.
func prefault([]byte) {}

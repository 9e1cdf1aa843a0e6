//go:build !linux

package memstore

func newSlab() []byte { return make([]byte, slabSize) }

// prefault does nothing here: pages fault in on first use.
func prefault([]byte) {}

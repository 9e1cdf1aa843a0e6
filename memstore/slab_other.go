//go:build !linux

package memstore

func newSlab() []byte { return make([]byte, slabSize) }

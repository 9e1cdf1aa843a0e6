package memstore

import (
	"bytes"
	"sync"
	"testing"
)

func TestSlabClone(t *testing.T) {
	var a slabs
	if buf, owner := a.alloc(0); len(buf) != 0 || owner == nil {
		t.Fatalf("an empty first allocation: %d bytes, slab %v", len(buf), owner) // an empty APPEND may come first
	}
	tests := []struct {
		name string
		size int
	}{{"empty", 0}, {"small", 100}, {"largest in a slab", slabMaxObject}, {"own allocation", slabMaxObject + 1}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := bytes.Repeat([]byte{'x'}, tt.size)
			got := clone(&a, src)
			if !bytes.Equal(got, src) || cap(got) != len(got) {
				t.Fatalf("clone: len %d cap %d", len(got), cap(got))
			}
			if tt.size > 0 {
				src[0] = 'y' // the copy is independent of the caller's buffer
				if got[0] != 'x' {
					t.Fatal("clone shares memory with its source")
				}
				got = append(got, 'z') // appending must not write into the slab
				if next := clone(&a, []byte{'n'}); next[0] != 'n' {
					t.Fatal("append to a clone overwrote the next one")
				}
			}
		})
	}
}

func TestSlabConcurrentAndAcrossSlabs(t *testing.T) {
	var a slabs
	var wg sync.WaitGroup
	const workers, each = 4, 600 // 4 × 600 × 8 KiB crosses several slabs
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var kept [][]byte
			for i := range each {
				kept = append(kept, clone(&a, bytes.Repeat([]byte{byte('a' + w)}, 8<<10+i)))
			}
			for i, got := range kept { // no clone overlaps another
				if !bytes.Equal(got, bytes.Repeat([]byte{byte('a' + w)}, 8<<10+i)) {
					t.Errorf("worker %d message %d corrupted", w, i)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// clone copies b into slab memory, as newMessage does with a message.
func clone(a *slabs, b []byte) []byte {
	buf, _ := a.alloc(len(b))
	p := packer{buf: buf}
	return p.bytes(b)
}

package memstore

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestScrambleIsABijection(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 10_000 {
		v, k0, k1 := r.Uint64(), r.Uint64(), r.Uint64()
		if got := unscramble(scramble(v, k0, k1), k0, k1); got != v {
			t.Fatalf("unscramble(scramble(%#x)) = %#x", v, got)
		}
	}
	for _, c := range []uint64{1, 3, mix1, mix2, 1<<64 - 1} {
		if c*inverse(c) != 1 {
			t.Errorf("inverse(%#x) is wrong", c)
		}
	}
}

func TestIDEncoding(t *testing.T) {
	for _, v := range []uint64{0, 1, 63, 64, 1<<60 - 1, 1 << 60, 1<<64 - 1} {
		id := encodeID(v)
		if len(id) != idLen || strings.Trim(id, idAlphabet) != "" {
			t.Fatalf("encodeID(%#x) = %q", v, id)
		}
		if got, ok := decodeID(id); !ok || got != v {
			t.Errorf("decodeID(%q) = %#x, %v; want %#x", id, got, ok, v)
		}
	}
	for _, id := range []string{"", "short", "0123456789ab", "0000000000g", "00000000.00", "0000000000\x00", "0000000000é"} {
		if v, ok := decodeID(id); ok {
			t.Errorf("decodeID(%q) = %#x, want refusal", id, v)
		}
	}
}

// TestIndex drives the index against a map through additions, removals in
// every order, and resets, across many pages.
func TestIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x := newIndex()
	ref := map[string]*Message{}
	var live []*Message
	var gone []string
	check := func(step int) {
		t.Helper()
		if x.count != len(ref) {
			t.Fatalf("step %d: count %d, want %d", step, x.count, len(ref))
		}
		for id, m := range ref {
			if x.get(id) != m {
				t.Fatalf("step %d: get(%q) lost its message", step, id)
			}
		}
		for _, id := range gone {
			if x.get(id) != nil {
				t.Fatalf("step %d: get(%q) found a removed message", step, id)
			}
		}
	}
	for step := range 20_000 {
		switch op := r.IntN(100); {
		case op < 60: // add
			m := &Message{}
			x.add(m)
			if ref[m.ID] != nil {
				t.Fatalf("ID %q handed out twice", m.ID)
			}
			ref[m.ID] = m
			live = append(live, m)
		case op < 75 && len(live) > 0: // remove the oldest, as eviction does
			m := live[0]
			live = live[1:]
			if !x.remove(m) {
				t.Fatalf("remove oldest %q failed", m.ID)
			}
			delete(ref, m.ID)
			gone = append(gone, m.ID)
		case op < 99 && len(live) > 0: // remove any
			i := r.IntN(len(live))
			m := live[i]
			live = append(live[:i], live[i+1:]...)
			if !x.remove(m) || x.remove(m) {
				t.Fatalf("remove %q: want true once, then false", m.ID)
			}
			delete(ref, m.ID)
			gone = append(gone, m.ID)
		case op == 99: // reset
			x.reset()
			for id := range ref {
				gone = append(gone, id)
			}
			clear(ref)
			live = live[:0]
		}
		if step%997 == 0 {
			check(step)
		}
	}
	check(-1)
	if len(x.pages) > x.count/pageSlots+64 {
		t.Errorf("%d pages kept for %d messages", len(x.pages), x.count)
	}
	for _, id := range []string{"", "nope", encodeID(0), encodeID(1<<64 - 1)} {
		if x.get(id) != nil {
			t.Errorf("get(%q) found a message", id)
		}
	}
}

func TestIndexFreesEmptyPages(t *testing.T) {
	x := newIndex()
	msgs := make([]*Message, 10*pageSlots)
	for i := range msgs {
		msgs[i] = &Message{}
		x.add(msgs[i])
	}
	// Delete everything but the first and the last message: the pages in
	// between must go even though the front of the index stays.
	for _, m := range msgs[1 : len(msgs)-1] {
		x.remove(m)
	}
	kept := 0
	for _, p := range x.pages {
		if p != nil {
			kept++
		}
	}
	if kept != 2 || x.get(msgs[0].ID) != msgs[0] || x.get(msgs[len(msgs)-1].ID) != msgs[len(msgs)-1] {
		t.Fatalf("%d pages kept, want 2", kept)
	}
	x.remove(msgs[0])
	if len(x.pages) != 1 || x.count != 1 {
		t.Fatalf("after the oldest went: %d pages, count %d", len(x.pages), x.count)
	}
}

package memstore

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// checkInvariants verifies the store's bookkeeping against its contents:
// the ID index, the arrival list, the byte count and the memory held.
func checkInvariants(t *testing.T, s *Store) {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, bytes := 0, int64(0)
	live := map[*slab]int{}
	var prev *Message
	for m := s.oldest; m != nil; m = m.next {
		if m.prev != prev {
			t.Fatalf("arrival list broken at %s", m.ID)
		}
		if s.idx.get(m.ID) != m {
			t.Fatalf("message %s in the arrival list but not in the index", m.ID)
		}
		if len(m.locs) == 0 {
			t.Fatalf("message %s stored in no mailbox", m.ID)
		}
		n++
		bytes += int64(len(m.Raw))
		live[m.slab]++
		prev = m
	}
	if prev != s.newest {
		t.Fatal("newest is not the end of the arrival list")
	}
	held := int64(0)
	for sl, k := range live {
		if sl.live != k {
			t.Fatalf("slab counts %d live messages, %d are stored", sl.live, k)
		}
		held += int64(sl.size)
	}
	if n != s.idx.count || bytes != s.bytes || held != s.held {
		t.Fatalf("count %d/%d, bytes %d/%d, held %d/%d (store/actual)", s.idx.count, n, s.bytes, bytes, s.held, held)
	}
	if n > s.maxMessages || bytes > s.maxBytes || (n > 1 && held > s.maxBytes+slabSize) {
		t.Fatalf("limits exceeded: %d messages, %d bytes, %d held", n, bytes, held)
	}
}

// TestStressBookkeeping runs every kind of change at once, under tight
// limits so eviction runs all the time, and then checks the bookkeeping.
func TestStressBookkeeping(t *testing.T) {
	for _, opts := range []Options{
		{MaxMessages: 300, MaxBytes: 3 * slabSize},     // the count limit rules
		{MaxMessages: 100_000, MaxBytes: slabSize / 2}, // bytes and held memory rule
	} {
		t.Run(fmt.Sprintf("%d-messages-%d-bytes", opts.MaxMessages, opts.MaxBytes), func(t *testing.T) {
			stress(t, New(opts))
		})
	}
}

func stress(t *testing.T, s *Store) {
	const workers, rounds = 6, 400
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			user := fmt.Sprintf("u%d@x", w%3)
			var mine []string
			for i := range rounds {
				size := 100 + r.IntN(8<<10)
				if r.IntN(50) == 0 {
					size = 70 << 10 // a message with an allocation of its own
				}
				m, err := s.Add(Envelope{RcptTo: []string{user}, Transcript: "C: DATA\r\n"},
					msg("a@x", user, fmt.Sprint(i), strings.Repeat("z", size)))
				if err != nil {
					t.Error(err)
					return
				}
				mine = append(mine, m.ID)
				switch r.IntN(12) {
				case 0, 1, 2:
					s.Delete(mine[r.IntN(len(mine))])
				case 3:
					s.SetRead(mine[r.IntN(len(mine))], true)
				case 4:
					_, es, _ := s.Snapshot(user, Inbox)
					if len(es) > 0 {
						s.Copy(user, Named(Inbox), "Trash", []uint32{es[r.IntN(len(es))].UID})
					}
				case 5:
					_, es, _ := s.Snapshot(user, Inbox)
					if len(es) > 0 {
						u := es[r.IntN(len(es))].UID
						s.SetFlags(user, Named(Inbox), []uint32{u}, FlagsAdd, FlagDeleted, nil)
						s.Expunge(user, Named(Inbox), nil)
					}
				case 6:
					s.List(Filter{Query: "z"}, 0, 20)
					s.Get(mine[r.IntN(len(mine))])
				case 7:
					if r.IntN(40) == 0 {
						s.Reset()
					}
				}
			}
		}()
	}
	wg.Wait()
	checkInvariants(t, s)
	s.Reset()
	checkInvariants(t, s)
	if s.held != 0 || s.idx.count != 0 {
		t.Fatalf("after reset: held %d, count %d", s.held, s.idx.count)
	}
}

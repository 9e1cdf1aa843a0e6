package memstore

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// smallMessage is a realistic ~2 KB plain-text message.
func smallMessage(i int) []byte {
	body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n", 24)
	return []byte(fmt.Sprintf("From: \"Sender %d\" <sender%d@example.com>\r\nTo: user%d@example.com\r\n"+
		"Subject: Test message number %d\r\nDate: Mon, 2 Jan 2006 15:04:05 -0700\r\n"+
		"Message-ID: <%d.1234567890@example.com>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n%s", i, i, i%50, i, i, body))
}

func smallEnvelope(i int) Envelope {
	return Envelope{
		MailFrom: fmt.Sprintf("sender%d@example.com", i), RcptTo: []string{fmt.Sprintf("user%d@example.com", i%50)},
		Helo: "client.example.com", RemoteAddr: "127.0.0.1:54321",
		// As smtpd records it: unique per message.
		Transcript: fmt.Sprintf("C: MAIL FROM:<sender%d@example.com>\r\nS: 250 2.1.0 OK\r\nC: RCPT TO:<user%d@example.com>\r\nS: 250 2.1.5 OK\r\nC: DATA\r\nS: 354 End data with <CR><LF>.<CR><LF>\r\nS: 250 2.0.0 OK: queued\r\n", i, i%50),
	}
}

// BenchmarkMemory reports the heap used per stored message beyond its bytes,
// with 100,000 small messages stored (each delivered to the catch-all and
// one of 50 recipient mailboxes).
func BenchmarkMemory(b *testing.B) {
	const n = 100_000
	// The caller's message bytes exist before the measurement starts; Add
	// copies them into the store's slabs, so the heap growth minus the
	// message bytes is the store's own structures: envelopes, summaries,
	// mailbox entries, index, IDs and slab slack.
	raws := make([][]byte, n)
	var rawBytes int64
	for i := range raws {
		raws[i] = smallMessage(i)
		rawBytes += int64(len(raws[i]))
	}
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := New(Options{MaxMessages: n})
		for i := range raws {
			if _, err := s.Add(smallEnvelope(i), raws[i]); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)-rawBytes)/n, "heap-B/msg")
		runtime.KeepAlive(s)
	}
	runtime.KeepAlive(raws)
}

func BenchmarkAdd(b *testing.B) {
	s := New(Options{MaxMessages: 50_000})
	raw := smallMessage(1)
	env := smallEnvelope(1)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := s.Add(env, raw); err != nil {
			b.Fatal(err)
		}
	}
}

func benchStore(b *testing.B, n int) *Store {
	s := New(Options{MaxMessages: n, Now: func() time.Time { return time.Unix(1700000000, 0) }})
	for i := range n {
		if _, err := s.Add(smallEnvelope(i), smallMessage(i)); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func BenchmarkList(b *testing.B) {
	s := benchStore(b, 100_000)
	b.Run("first-page", func(b *testing.B) {
		for b.Loop() {
			s.List(Filter{}, 0, 50)
		}
	})
	b.Run("search-word", func(b *testing.B) {
		for b.Loop() {
			if total, _, _ := s.List(Filter{Query: "number 99999"}, 0, 50); total == 0 {
				b.Fatal("no match")
			}
		}
	})
	b.Run("search-missing", func(b *testing.B) {
		for b.Loop() {
			s.List(Filter{Query: "zzzqqq"}, 0, 50)
		}
	})
	b.Run("to-filter", func(b *testing.B) {
		for b.Loop() {
			s.List(Filter{To: "user7@"}, 0, 50)
		}
	})
}

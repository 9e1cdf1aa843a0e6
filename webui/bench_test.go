package webui

import (
	"context"
	"fmt"
	"io"
	"net/smtp"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"intray/memstore"
)

// Latency benchmarks: run with -benchtime=1000x for the 1,000-message
// figures. They report p50 and p99 in microseconds.

// reportPercentiles reports the p50, p99 and max of lat.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
}

// sender delivers one message and returns the moment ingest was confirmed:
// just before Store.Add, or the SMTP 250 reply to the end of DATA.
type sender func(b *testing.B, i int, to string) time.Time

func storeSender(e *testEnv) sender {
	return func(b *testing.B, i int, to string) time.Time {
		t0 := time.Now()
		if _, err := e.store.Add(memstore.Envelope{MailFrom: "a@example.com", RcptTo: []string{to}},
			[]byte(plainMsg(to, fmt.Sprint("bench ", i)))); err != nil {
			b.Fatal(err)
		}
		return t0
	}
}

func smtpSender(b *testing.B, e *testEnv) sender {
	c, err := smtp.Dial(startSMTP(b, e))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return func(b *testing.B, i int, to string) time.Time {
		if err := c.Mail("a@example.com"); err != nil {
			b.Fatal(err)
		}
		if err := c.Rcpt(to); err != nil {
			b.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			b.Fatal(err)
		}
		io.WriteString(w, plainMsg(to, fmt.Sprint("bench ", i)))
		if err := w.Close(); err != nil { // returns on the 250 reply
			b.Fatal(err)
		}
		return time.Now()
	}
}

// BenchmarkNewEvent measures ingest to websocket delivery with 10 clients
// connected: the time until the last of the 10 has the "new" event.
func BenchmarkNewEvent(b *testing.B) {
	b.Run("store", func(b *testing.B) { benchNewEvent(b, func(e *testEnv) sender { return storeSender(e) }) })
	b.Run("smtp", func(b *testing.B) { benchNewEvent(b, func(e *testEnv) sender { return smtpSender(b, e) }) })
}

func benchNewEvent(b *testing.B, mk func(*testEnv) sender) {
	const clients = 10
	e := newTestEnv(b)
	send := mk(e)
	got := make(chan time.Time, clients)
	for range clients {
		ws := dialEvents(b, e.url, "")
		readEvent(b, ws)
		go func(ws *websocket.Conn) {
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
				got <- time.Now()
			}
		}(ws)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t0 := send(b, i, "bob@example.com")
		var last time.Time
		for range clients {
			last = <-got
		}
		lat = append(lat, max(last.Sub(t0), 0))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

// BenchmarkWait measures ingest to a parked wait call's answer.
func BenchmarkWait(b *testing.B) {
	b.Run("store", func(b *testing.B) { benchWait(b, func(e *testEnv) sender { return storeSender(e) }) })
	b.Run("smtp", func(b *testing.B) { benchWait(b, func(e *testEnv) sender { return smtpSender(b, e) }) })
}

func benchWait(b *testing.B, mk func(*testEnv) sender) {
	e := newTestEnv(b)
	send := mk(e)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		to := fmt.Sprintf("user%d@example.com", i)
		done := make(chan time.Time, 1)
		res := e.startWait(context.Background(), "timeout=30s&to="+url.QueryEscape(to))
		go func() {
			r := <-res
			if r.status != 200 {
				b.Errorf("wait: %+v", r)
			}
			done <- time.Now()
		}()
		for e.h.waits.count() == 0 {
			runtime.Gosched()
		}
		t0 := send(b, i, to)
		lat = append(lat, max((<-done).Sub(t0), 0))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

var (
	bigStoreOnce sync.Once
	bigStore     *memstore.Store
)

// store100k returns a store with 100,000 small messages, built once.
func store100k() *memstore.Store {
	bigStoreOnce.Do(func() {
		bigStore = memstore.New(memstore.Options{MaxMessages: 200_000})
		body := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 12)
		for i := range 100_000 {
			to := fmt.Sprintf("user%d@example.com", i%500)
			raw := fmt.Sprintf("From: Sender %d <s%d@example.com>\r\nTo: %s\r\nSubject: Order %d confirmed\r\n"+
				"Date: Mon, 02 Jan 2006 15:04:05 +0000\r\n\r\n%s\r\nOrder %d, see https://shop.example/o/%d\r\n",
				i, i%100, to, i, body, i, i)
			if i == 500 {
				raw = strings.Replace(raw, "Lorem", "needle", 1)
			}
			bigStore.Add(memstore.Envelope{MailFrom: "s@example.com", RcptTo: []string{to}}, []byte(raw))
		}
	})
	return bigStore
}

// BenchmarkList100k lists and searches 100,000 stored messages over HTTP.
func BenchmarkList100k(b *testing.B) {
	e := newTestEnvStore(b, store100k())
	for _, c := range []struct{ name, query string }{
		{"first-page", ""},
		{"last-page", "offset=99950"},
		{"q-body-word", "q=needle"},
		{"q-from-field", "q=" + url.QueryEscape("from:s42@example.com")},
		{"q-no-match", "q=nomatchanywhere"},
		{"to-filter", "to=user7@example.com"},
	} {
		b.Run(c.name, func(b *testing.B) {
			var l listJSON
			for b.Loop() {
				e.call("GET", "/api/v1/messages?"+c.query, "", 200, &l)
			}
			b.ReportMetric(float64(l.Total), "matches")
		})
	}
}

package webui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"intray/memstore"
)

// waitResult is the outcome of one wait call.
type waitResult struct {
	status int
	list   listJSON
	err    error
}

// startWait runs a wait call in the background.
func (e *testEnv) startWait(ctx context.Context, query string) <-chan waitResult {
	out := make(chan waitResult, 1)
	go func() {
		var res waitResult
		defer func() { out <- res }()
		req, err := http.NewRequestWithContext(ctx, "GET", e.url+"/api/v1/messages/wait?"+query, nil)
		if err != nil {
			res.err = err
			return
		}
		resp, err := e.client.Do(req)
		if err != nil {
			res.err = err
			return
		}
		defer resp.Body.Close()
		res.status = resp.StatusCode
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == 200 {
			res.err = json.Unmarshal(b, &res.list)
		}
	}()
	return out
}

func TestWaitBefore(t *testing.T) {
	e := newTestEnv(t)
	m := e.add(plainMsg("bob@example.com", "hi"), "bob@example.com")
	var got listJSON
	e.call("GET", "/api/v1/messages/wait?to=bob@example.com&timeout=0", "", 200, &got)
	if got.Total != 1 || got.Messages[0].ID != m.ID {
		t.Fatalf("wait = %+v", got)
	}
	if n := e.h.waits.count(); n != 0 {
		t.Errorf("%d waiters left", n)
	}
}

func TestWaitDuring(t *testing.T) {
	e := newTestEnv(t)
	res := e.startWait(context.Background(), "to=bob@example.com&count=2&timeout=30s")
	e.waitWaiters(1)
	a := e.add(plainMsg("bob@example.com", "one"), "bob@example.com")
	e.add(plainMsg("eve@example.com", "other"), "eve@example.com")
	b := e.add(plainMsg("bob@example.com", "two"), "bob@example.com")
	r := <-res
	if r.err != nil || r.status != 200 || r.list.Total != 2 || r.list.Messages[0].ID != b.ID || r.list.Messages[1].ID != a.ID {
		t.Fatalf("wait = %+v", r)
	}
}

func TestWaitNever(t *testing.T) {
	e := newTestEnv(t)
	e.add(plainMsg("eve@example.com", "other"), "eve@example.com")
	for _, timeout := range []string{"0", "0s", "50ms", "0.05"} {
		msg := e.callError("GET", "/api/v1/messages/wait?to=bob@example.com&timeout="+timeout, "", http.StatusRequestTimeout)
		t.Logf("timeout=%s: %s", timeout, msg)
	}
	if n := e.h.waits.count(); n != 0 {
		t.Errorf("%d waiters left after timeouts", n)
	}
}

func TestWaitSince(t *testing.T) {
	e := newTestEnv(t)
	old := e.add(plainMsg("bob@example.com", "old"), "bob@example.com")
	e.callError("GET", "/api/v1/messages/wait?timeout=0&since="+old.ID, "", http.StatusRequestTimeout)
	ts := url.QueryEscape(old.ReceivedAt.Format(time.RFC3339Nano))
	res := e.startWait(context.Background(), "timeout=30s&since="+ts)
	e.waitWaiters(1)
	m := e.add(plainMsg("bob@example.com", "new"), "bob@example.com")
	if r := <-res; r.status != 200 || r.list.Total != 1 || r.list.Messages[0].ID != m.ID {
		t.Fatalf("since time: %+v", r)
	}
	var got listJSON
	e.call("GET", "/api/v1/messages/wait?timeout=0&since="+old.ID, "", 200, &got)
	if got.Total != 1 || got.Messages[0].ID != m.ID {
		t.Fatalf("since id: %+v", got)
	}
}

func TestWaitCountMoreThanLimit(t *testing.T) {
	e := newTestEnv(t)
	for i := range 3 {
		e.add(plainMsg("bob@example.com", fmt.Sprint(i)), "bob@example.com")
	}
	var got listJSON
	e.call("GET", "/api/v1/messages/wait?timeout=0&count=3&limit=1", "", 200, &got)
	if got.Total != 3 || len(got.Messages) != 3 {
		t.Fatalf("count above limit: total %d, %d messages", got.Total, len(got.Messages))
	}
}

func TestWaitBadParams(t *testing.T) {
	e := newTestEnv(t)
	for _, q := range []string{"timeout=301s", "timeout=-1s", "timeout=soon", "timeout=NaN", "count=0", "count=x",
		"count=1001", "limit=-1"} {
		e.callError("GET", "/api/v1/messages/wait?"+q, "", 400)
	}
	e.callError("GET", "/api/v1/messages/wait?since=nosuch", "", 404)
}

func TestWaitDisconnectReleases(t *testing.T) {
	e := newTestEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	res := e.startWait(ctx, "timeout=300s")
	e.waitWaiters(1)
	cancel()
	if r := <-res; r.err == nil {
		t.Fatalf("canceled wait returned %+v", r)
	}
	e.waitWaiters(0)
}

// TestWaitConcurrent parks 1,000 waiters, each on its own recipient, then
// delivers to each: every waiter gets exactly its message.
func TestWaitConcurrent(t *testing.T) {
	const n = 1000
	e := newTestEnv(t)
	results := make([]<-chan waitResult, n)
	for i := range n {
		results[i] = e.startWait(context.Background(), fmt.Sprintf("to=user%d@example.com&timeout=120s", i))
	}
	start := time.Now()
	e.waitWaiters(n)
	t.Logf("%d waiters parked in %v", n, time.Since(start))
	start = time.Now()
	ids := make([]string, n)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				to := fmt.Sprintf("user%d@example.com", i)
				ids[i] = e.add(plainMsg(to, to), to).ID
			}
		})
	}
	wg.Wait()
	for i, ch := range results {
		r := <-ch
		if r.err != nil || r.status != 200 || r.list.Total != 1 || r.list.Messages[0].ID != ids[i] {
			t.Fatalf("waiter %d: %+v", i, r)
		}
	}
	t.Logf("%d messages delivered to their waiters in %v", n, time.Since(start))
	if c := e.h.waits.count(); c != 0 {
		t.Errorf("%d waiters left", c)
	}
}

// TestWaitLagged blocks the wait hub until its subscription overflows;
// after resubscribing it re-checks the store and finds the message.
func TestWaitLagged(t *testing.T) {
	e := newTestEnv(t)
	res := e.startWait(context.Background(), "q=subject:needle&timeout=60s")
	e.waitWaiters(1)
	e.h.waits.mu.Lock() // the hub blocks in offer on the first event
	for i := range subBuffer + 10 {
		e.add(plainMsg("bob@example.com", fmt.Sprint("hay ", i)), "bob@example.com")
	}
	m := e.add(plainMsg("bob@example.com", "needle"), "bob@example.com")
	e.h.waits.mu.Unlock()
	if r := <-res; r.status != 200 || r.list.Total != 1 || r.list.Messages[0].ID != m.ID {
		t.Fatalf("wait after lag: %+v", r)
	}
}

func TestWaitRecheckUnit(t *testing.T) {
	store := memstore.New(memstore.Options{})
	stop := make(chan struct{})
	defer close(stop)
	wh := newWaitHub(store, newTestEnv(t).h.log, stop) // not running: sees no events
	m, _ := store.Matcher(memstore.Filter{To: "bob@"})
	w := newWaiter(m, 1)
	wh.add(w)
	store.Add(memstore.Envelope{RcptTo: []string{"bob@example.com"}}, []byte(plainMsg("bob@example.com", "x")))
	wh.recheck()
	select {
	case <-w.done:
	default:
		t.Fatal("recheck did not complete the waiter")
	}
	if wh.count() != 0 {
		t.Error("completed waiter still registered")
	}
}

func TestWaiterOfferDeduplicates(t *testing.T) {
	w := newWaiter(nil, 2)
	if w.offer("a") || w.offer("a") || w.matched() != 1 {
		t.Fatal("duplicate counted")
	}
	if !w.offer("b") || w.offer("c") || w.matched() != 2 {
		t.Fatal("completion wrong")
	}
}

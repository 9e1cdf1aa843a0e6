package webui

import "intray/memstore"

// subBuffer is the channel buffer of the handler's store subscriptions.
// The hubs only match and enqueue, so a burst of this many events is
// absorbed; beyond it the subscription lags and the hub resynchronises.
const subBuffer = 4096

// follower reads one store subscription and replaces it when it lags. It
// is used by one goroutine (a hub's run loop).
type follower struct {
	store Subscriber
	sub   *memstore.Subscription
}

// newFollower subscribes at once, so that no event published after it
// returns is missed, even before the hub goroutine runs.
func newFollower(store Subscriber) *follower {
	return &follower{store: store, sub: store.Subscribe(subBuffer)}
}

// seq is the sequence number the current subscription started after.
func (f *follower) seq() uint64 { return f.sub.Seq() }

// next returns the next event. When the subscription lagged it subscribes
// again and returns resync true (ev is zero): events were lost, and the
// caller must rebuild its state from the store. ok is false once stop is
// closed; the subscription is then closed.
func (f *follower) next(stop <-chan struct{}) (ev memstore.Event, resync, ok bool) {
	select {
	case ev, open := <-f.sub.C:
		if open {
			return ev, false, true
		}
		if !f.sub.Lagged() {
			return ev, false, false // closed by someone else: nothing more to read
		}
		f.sub = f.store.Subscribe(subBuffer)
		return memstore.Event{}, true, true
	case <-stop:
		f.sub.Close()
		return ev, false, false
	}
}

// catchAllEntry returns the catch-all entry (with its flags) of the message
// an EventNew announces.
func catchAllEntry(ev memstore.Event) memstore.Entry {
	for _, c := range ev.Changes {
		if c.User != memstore.CatchAll || c.Kind != memstore.ChangeAdded {
			continue
		}
		for _, e := range c.Entries {
			if e.Msg == ev.Message {
				return e
			}
		}
	}
	return memstore.Entry{Msg: ev.Message}
}

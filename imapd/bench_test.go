package imapd

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

const benchMessages = 10_000

// benchBytes is the size of the benchmark mailbox, set by benchEnv.
var benchBytes int64

// benchBody pads the benchmark messages to about 2 KB, the "small message"
// of every intray benchmark.
var benchBody = strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n", 22)

// benchEnv fills a store with benchMessages small (about 2 KB) messages and
// selects INBOX with go-imap's client.
func benchEnv(b *testing.B) (*testEnv, *imapclient.Client) {
	b.Helper()
	env := newEnv(b)
	for i := range benchMessages {
		raw := fmt.Sprintf("From: Sender %d <sender%d@example.com>\r\nTo: Bob <bob@example.com>, carol@example.com\r\n"+
			"Subject: Message number %d about things\r\nDate: Fri, 01 Mar 2024 10:00:00 +0000\r\n"+
			"Message-ID: <%d@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
			"Hello Bob,\r\n\r\nthis is message %d of the benchmark. It has a few lines of text\r\n"+
			"so that it looks like real mail, signed by somebody.\r\n\r\n%s-- \r\nSender %d\r\n", i, i, i, i, i, benchBody, i)
		if _, err := env.store.Add(benchEnvelope, []byte(raw)); err != nil {
			b.Fatal(err)
		}
	}
	benchBytes = env.store.Stats().Bytes
	c, err := imapclient.DialInsecure(env.addr, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	if err := c.Login("bob@example.com", "x").Wait(); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	return env, c
}

// BenchmarkFetchAll: FETCH 1:* (FLAGS UID ENVELOPE BODYSTRUCTURE
// RFC822.SIZE) over 10,000 messages, client parsing included.
func BenchmarkFetchAll(b *testing.B) {
	_, c := benchEnv(b)
	opts := &imap.FetchOptions{Flags: true, UID: true, Envelope: true, RFC822Size: true,
		BodyStructure: &imap.FetchItemBodyStructure{Extended: true}}
	all := imap.SeqSet{}
	all.AddRange(1, 0)
	b.ResetTimer()
	for b.Loop() {
		n := fetchCount(b, c.Fetch(all, opts))
		if n != benchMessages {
			b.Fatalf("fetched %d", n)
		}
	}
	b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkFetchBody: FETCH 1:* BODY.PEEK[], bytes per second.
func BenchmarkFetchBody(b *testing.B) {
	env, c := benchEnv(b)
	st := env.store.Stats()
	opts := &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}
	all := imap.SeqSet{}
	all.AddRange(1, 0)
	b.SetBytes(st.Bytes)
	buf := make([]byte, 64<<10)
	b.ResetTimer()
	for b.Loop() {
		cmd := c.Fetch(all, opts)
		for {
			msg := cmd.Next()
			if msg == nil {
				break
			}
			for {
				item := msg.Next()
				if item == nil {
					break
				}
				if body, ok := item.(imapclient.FetchItemDataBodySection); ok {
					for {
						if _, err := body.Literal.Read(buf); err != nil {
							break
						}
					}
				}
			}
		}
		if err := cmd.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchText: UID SEARCH TEXT over 10,000 messages.
func BenchmarkSearchText(b *testing.B) {
	_, c := benchEnv(b)
	crit := &imap.SearchCriteria{Text: []string{"message 4242 of"}}
	b.ResetTimer()
	for b.Loop() {
		data, err := c.UIDSearch(crit, nil).Wait()
		if err != nil {
			b.Fatal(err)
		}
		if len(data.AllUIDs()) != 1 {
			b.Fatalf("found %v", data.AllUIDs())
		}
	}
}

func fetchCount(b *testing.B, cmd *imapclient.FetchCommand) int {
	n := 0
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		if _, err := msg.Collect(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := cmd.Close(); err != nil {
		b.Fatal(err)
	}
	return n
}

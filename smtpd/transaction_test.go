package smtpd

import (
	"fmt"
	"strings"
	"testing"
)

func TestTranscriptCapped(t *testing.T) {
	_, store, addr := startServer(t, nil)
	c := dial(t, addr)
	var send strings.Builder
	send.WriteString("MAIL FROM:<a@x>\r\n")
	n := 500
	for i := range n {
		fmt.Fprintf(&send, "RCPT TO:<recipient-number-%d@example.com>\r\n", i)
	}
	send.WriteString("DATA\r\n")
	c.nc.Write([]byte(send.String()))
	for range n + 2 {
		c.readReply()
	}
	c.expect("x\r\n.\r\n", "250 2.0.0 OK: queued\r\n")
	tr := store.last(t).env.Transcript
	if len(tr) > maxTranscript+100 || !strings.Contains(tr, " lines omitted ...]\r\n") ||
		!strings.HasSuffix(tr, "S: 250 2.0.0 OK: queued\r\n") || !strings.HasPrefix(tr, "C: MAIL FROM:<a@x>\r\n") {
		t.Errorf("transcript of %d bytes:\n%s...%s", len(tr), tr[:200], tr[len(tr)-200:])
	}
}

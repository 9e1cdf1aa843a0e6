package imapd

import (
	"bufio"
	"bytes"
	"net"
	"testing"
)

// BenchmarkFetchAllRaw is BenchmarkFetchAll with a client that only reads
// the bytes: the server's share of the work.
func BenchmarkFetchAllRaw(b *testing.B) {
	benchRaw(b, "c FETCH 1:* (FLAGS UID ENVELOPE BODYSTRUCTURE RFC822.SIZE)\r\n")
}

// BenchmarkFetchBodyRaw is BenchmarkFetchBody with a client that only
// reads the bytes.
func BenchmarkFetchBodyRaw(b *testing.B) {
	b.SetBytes(int64(benchBytes))
	benchRaw(b, "c FETCH 1:* BODY.PEEK[]\r\n")
}

func benchRaw(b *testing.B, command string) {
	env, _ := benchEnv(b)
	nc, err := net.Dial("tcp", env.addr)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	br := bufio.NewReaderSize(nc, 64<<10)
	r := &raw{t: b, nc: nc, br: br}
	r.line()
	r.cmd("a", "LOGIN bob@example.com x")
	r.cmd("b", "SELECT INBOX")
	b.ResetTimer()
	for b.Loop() {
		r.send(command)
		for {
			l, err := br.ReadSlice('\n')
			if err != nil {
				b.Fatal(err)
			}
			if bytes.HasPrefix(l, []byte("c ")) {
				break
			}
		}
	}
	b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

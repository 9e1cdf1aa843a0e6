package pop3d

import (
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"

	"intray/internal/clienttest"
	"intray/memstore"
)

// Independent clients end to end: curl and Python's poplib against the real
// memstore.

func e2eStore(t *testing.T) *memstore.Store {
	t.Helper()
	st := memstore.New(memstore.Options{})
	addMail(t, st, msgPlain, "bob@example.com")
	addMail(t, st, msgDots, "bob@example.com", "ann@example.com")
	addMail(t, st, msgNoCRLF, "ann@example.com")
	return st
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func curl(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("curl", append([]string{"-sS", "--max-time", "20"}, args...)...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("curl %v: %v %s", args, err, stderr)
	}
	return string(out)
}

func TestCurl(t *testing.T) {
	clienttest.Program(t, "curl")
	serverTLS, _ := testTLS(t)
	st := e2eStore(t)
	addr := startServer(t, &Server{Store: st, TLSConfig: serverTLS})
	base := "pop3://127.0.0.1:" + port(addr)

	list := curl(t, base+"/", "-u", "bob@example.com:secret")
	if want := fmt.Sprintf("1 %d\r\n2 %d\r\n", len(msgPlain), len(msgDots)); list != want {
		t.Errorf("curl LIST = %q, want %q", list, want)
	}
	if got := curl(t, base+"/2", "-u", "bob@example.com:secret"); got != msgDots {
		t.Errorf("curl RETR 2 = %q, want %q", got, msgDots)
	}
	if got := curl(t, base+"/3", "-u", "anyone:pw"); got != msgNoCRLF+"\r\n" {
		t.Errorf("curl RETR 3 (catch-all) = %q", got)
	}
	// STLS, required, with the self-signed certificate.
	if got := curl(t, "--ssl-reqd", "-k", base+"/1", "-u", "bob@example.com:secret"); got != msgPlain {
		t.Errorf("curl RETR over STLS = %q", got)
	}
	// SASL PLAIN through curl's login options.
	if got := curl(t, base+"/1", "-u", "bob@example.com:secret", "--login-options", "AUTH=PLAIN"); got != msgPlain {
		t.Errorf("curl AUTH PLAIN RETR = %q", got)
	}
	// DELE through a custom request; QUIT commits it.
	curl(t, base+"/1", "-u", "bob@example.com:secret", "-X", "DELE", "-I")
	if info, _, _ := st.Snapshot("bob@example.com", memstore.Inbox); info.Messages != 1 {
		t.Errorf("bob has %d messages after curl DELE, want 1", info.Messages)
	}
}

func TestCurlPOP3S(t *testing.T) {
	clienttest.Program(t, "curl")
	serverTLS, _ := testTLS(t)
	addr := startServer(t, &Server{Store: e2eStore(t), TLSConfig: serverTLS, ImplicitTLS: true})
	if got := curl(t, "-k", "pop3s://127.0.0.1:"+port(addr)+"/1", "-u", "ann@example.com:pw"); got != msgDots {
		t.Errorf("curl pop3s RETR 1 = %q", got)
	}
}

// poplibScript drives Python's standard poplib: it prints one JSON object
// with what the session saw.
const poplibScript = `
import json, poplib, ssl, sys
port, cafile, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
if mode == "pop3s":
    p = poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=20)
else:
    p = poplib.POP3("127.0.0.1", port, timeout=20)
out = {"welcome": p.getwelcome().decode()}
out["capa"] = sorted(p.capa().keys())
if mode == "stls":
    out["stls"] = p.stls(context=ctx).decode()
    out["capa_tls"] = sorted(p.capa().keys())
if mode == "apop":
    out["login"] = p.apop("bob@example.com", "secret").decode()
else:
    p.user("bob@example.com")
    out["login"] = p.pass_("secret").decode()
out["stat"] = list(p.stat())
resp, lines, _ = p.list()
out["list"] = [l.decode() for l in lines]
resp, lines, _ = p.uidl()
out["uidl"] = [l.decode() for l in lines]
out["uidl1"] = p.uidl(1).decode()
retr = []
for i in range(1, out["stat"][0] + 1):
    resp, lines, octets = p.retr(i)
    retr.append({"resp": resp.decode(), "text": "\r\n".join(l.decode() for l in lines)})
out["retr"] = retr
resp, lines, _ = p.top(2, 1)
out["top"] = "\r\n".join(l.decode() for l in lines)
out["dele"] = p.dele(1).decode()
out["noop"] = p.noop().decode()
try:
    p.retr(1)
except poplib.error_proto as e:
    out["retr_deleted"] = str(e)
out["rset"] = p.rset().decode()
out["dele2"] = p.dele(2).decode()
out["quit"] = p.quit().decode()
print(json.dumps(out))
`

type poplibResult struct {
	Welcome     string
	Capa        []string
	Stls        string
	CapaTLS     []string `json:"capa_tls"`
	Login       string
	Stat        []int
	List, Uidl  []string
	Uidl1       string
	Retr        []struct{ Resp, Text string }
	Top         string
	Dele, Noop  string
	RetrDeleted string `json:"retr_deleted"`
	Rset, Dele2 string
	Quit        string
}

func TestPythonPoplib(t *testing.T) {
	python := clienttest.Program(t, "python3")
	serverTLS, _ := testTLS(t)
	caFile := clienttest.CertFile(t, serverTLS.Certificates[0].Certificate[0])
	for _, mode := range []string{"plain", "apop", "stls", "pop3s"} {
		t.Run(mode, func(t *testing.T) {
			st := e2eStore(t)
			addr := startServer(t, &Server{Store: st, TLSConfig: serverTLS, ImplicitTLS: mode == "pop3s"})
			var r poplibResult
			clienttest.RunJSON(t, exec.Command(python, "-c", poplibScript, port(addr), caFile, mode), &r)
			checkPoplib(t, st, mode, &r)
		})
	}
}

func checkPoplib(t *testing.T, st *memstore.Store, mode string, r *poplibResult) {
	t.Helper()
	size := len(msgPlain) + len(msgDots)
	if !strings.HasPrefix(r.Welcome, "+OK intray POP3 server ready <") {
		t.Errorf("welcome %q", r.Welcome)
	}
	wantCapa := "AUTH-RESP-CODE EXPIRE IMPLEMENTATION LOGIN-DELAY PIPELINING RESP-CODES SASL STLS TOP UIDL USER"
	if mode == "pop3s" {
		wantCapa = strings.Replace(wantCapa, " STLS", "", 1)
	}
	if got := strings.Join(r.Capa, " "); got != wantCapa {
		t.Errorf("capa %q, want %q", got, wantCapa)
	}
	if mode == "stls" && (len(r.CapaTLS) == 0 || r.Stls != "+OK begin TLS negotiation" || strings.Contains(strings.Join(r.CapaTLS, " "), "STLS")) {
		t.Errorf("stls %q, capa after %v", r.Stls, r.CapaTLS)
	}
	if want := fmt.Sprintf("+OK maildrop has 2 messages (%d octets)", size); r.Login != want {
		t.Errorf("login %q, want %q", r.Login, want)
	}
	if len(r.Stat) != 2 || r.Stat[0] != 2 || r.Stat[1] != size {
		t.Errorf("stat %v", r.Stat)
	}
	if want := []string{fmt.Sprintf("1 %d", len(msgPlain)), fmt.Sprintf("2 %d", len(msgDots))}; strings.Join(r.List, ",") != strings.Join(want, ",") {
		t.Errorf("list %v, want %v", r.List, want)
	}
	info, _, _ := st.Snapshot("bob@example.com", memstore.Inbox)
	if want := fmt.Sprintf("1 %d.1,2 %d.2", info.UIDValidity, info.UIDValidity); strings.Join(r.Uidl, ",") != want {
		t.Errorf("uidl %v, want %s", r.Uidl, want)
	}
	for i, want := range []string{msgPlain, msgDots} {
		if i >= len(r.Retr) {
			t.Fatalf("retr: %d messages", len(r.Retr))
		}
		if got := r.Retr[i].Text + "\r\n"; got != want {
			t.Errorf("retr %d: %q, want %q", i+1, got, want)
		}
		if want := fmt.Sprintf("+OK %d octets", len(want)); r.Retr[i].Resp != want {
			t.Errorf("retr %d: %q, want %q", i+1, r.Retr[i].Resp, want)
		}
	}
	if want := "Subject: dots\r\n\r\n.leading dot"; r.Top != want {
		t.Errorf("top %q, want %q", r.Top, want)
	}
	if want := fmt.Sprintf("+OK 1 %d.1", info.UIDValidity); r.Uidl1 != want {
		t.Errorf("uidl 1 %q, want %q", r.Uidl1, want)
	}
	if r.Dele != "+OK message 1 deleted" || r.Noop != "+OK" || r.Dele2 != "+OK message 2 deleted" {
		t.Errorf("dele %q noop %q dele2 %q", r.Dele, r.Noop, r.Dele2)
	}
	if r.RetrDeleted != "b'-ERR message 1 already deleted'" {
		t.Errorf("retr of a deleted message: %q", r.RetrDeleted)
	}
	if r.Quit != "+OK intray POP3 server signing off (1 messages deleted)" {
		t.Errorf("quit %q", r.Quit)
	}
	// Message 2 (msgDots) left bob's mailbox only; ann still has it.
	if bob, _, _ := st.Snapshot("bob@example.com", memstore.Inbox); bob.Messages != 1 {
		t.Errorf("bob has %d messages, want 1", bob.Messages)
	}
	if ann, _, _ := st.Snapshot("ann@example.com", memstore.Inbox); ann.Messages != 2 {
		t.Errorf("ann has %d messages, want 2", ann.Messages)
	}
}

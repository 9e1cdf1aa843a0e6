package imapd

import (
	"crypto/tls"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"intray/internal/clienttest"
	"intray/internal/selfsigned"
)

// imaplibScript drives Python's standard imaplib through a mail client's
// usual session, one mode at a time (plain, STARTTLS, IMAPS), and prints
// one JSON object with what it saw. Message bytes travel as latin-1 so the
// test can compare them exactly.
const imaplibScript = `
import imaplib, json, ssl, sys
port, cafile, mode, msgfile = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
msg = open(msgfile, "rb").read()
ctx = ssl.create_default_context(cafile=cafile)
if mode == "imaps":
    M = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx, timeout=20)
else:
    M = imaplib.IMAP4("127.0.0.1", port, timeout=20)
out = {"caps": sorted(M.capabilities)}
if mode == "starttls":
    out["starttls"] = M.starttls(ssl_context=ctx)[0]
    out["caps_tls"] = sorted(M.capabilities)
out["login"] = M.login("bob@example.com", "any password")[0]
out["list"] = [d.decode() for d in M.list()[1]]
out["select"] = M.select("INBOX")[1][0].decode()
out["search_all"] = M.search(None, "ALL")[1][0].decode()
out["search_subject"] = M.search(None, "SUBJECT", '"second"')[1][0].decode()
out["rfc822"] = M.fetch("1", "(RFC822)")[1][0][1].decode("latin-1")
out["uid_fetch"] = [d.decode() for d in M.uid("FETCH", "1:*", "(UID FLAGS RFC822.SIZE)")[1] if isinstance(d, bytes)]
out["store"] = [d.decode() for d in M.store("1", "+FLAGS", "(\\Seen \\Flagged)")[1]]
out["create"] = M.create("Archive/2024")[0]
out["copy"] = M.copy("1", "Archive/2024")[0]
out["append"] = M.append("Archive/2024", "(\\Seen)", imaplib.Time2Internaldate(1700000000), msg)[0]
out["status"] = M.status("Archive/2024", "(MESSAGES UIDNEXT UNSEEN)")[1][0].decode()
out["rename"] = M.rename("Archive/2024", "Archive/Old")[0]
M.store("2", "+FLAGS", "(\\Deleted)")
out["expunge"] = [d.decode() for d in M.expunge()[1] if d]
out["close"] = M.close()[0]
out["examine"] = M.select("Archive/Old", readonly=True)[1][0].decode()
out["appended"] = M.fetch("2", "(BODY.PEEK[])")[1][0][1].decode("latin-1")
M.close()
out["delete"] = M.delete("Archive/Old")[0]
out["logout"] = M.logout()[0]
print(json.dumps(out))
`

type imaplibResult struct {
	Caps          []string
	StartTLS      string   `json:"starttls"`
	CapsTLS       []string `json:"caps_tls"`
	Login         string
	List          []string
	Select        string
	SearchAll     string   `json:"search_all"`
	SearchSubject string   `json:"search_subject"`
	RFC822        string   `json:"rfc822"`
	UIDFetch      []string `json:"uid_fetch"`
	Store         []string
	Create, Copy  string
	Append        string
	Status        string
	Rename        string
	Expunge       []string
	Close         string
	Examine       string
	Appended      string
	Delete        string
	Logout        string
}

const (
	pyFirst  = "From: Ann <ann@example.com>\r\nTo: bob@example.com\r\nSubject: first\r\n\r\n.leading dot\r\nGr\xc3\xbc\xc3\x9fe\r\n"
	pySecond = "From: Cy <cy@example.com>\r\nTo: bob@example.com\r\nSubject: second\r\n\r\nbody two\r\n"
	pyAppend = "From: Bob <bob@example.com>\r\nTo: ann@example.com\r\nSubject: appended\r\n\r\nsaved by imaplib\r\n"
)

func TestPythonImaplib(t *testing.T) {
	python := clienttest.Program(t, "python3")
	cert, err := selfsigned.New("")
	if err != nil {
		t.Fatal(err)
	}
	caFile, msgFile := clienttest.CertFile(t, cert.Leaf.Raw), filepath.Join(t.TempDir(), "append.eml")
	if err := os.WriteFile(msgFile, []byte(pyAppend), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"plain", "starttls", "imaps"} {
		t.Run(mode, func(t *testing.T) {
			env := newEnv(t, func(s *Server) {
				s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
				s.ImplicitTLS = mode == "imaps"
			})
			env.add(pyFirst, "bob@example.com")
			env.add(pySecond, "bob@example.com")
			_, port, _ := strings.Cut(env.addr, ":")
			var r imaplibResult
			clienttest.RunJSON(t, exec.CommandContext(ctxTimeout(t), python, "-c", imaplibScript, port, caFile, mode, msgFile), &r)
			checkImaplib(t, mode, &r)
			if _, _, err := env.store.Snapshot("bob@example.com", "Archive/Old"); err == nil {
				t.Error("Archive/Old still exists after DELETE")
			}
		})
	}
}

func checkImaplib(t *testing.T, mode string, r *imaplibResult) {
	t.Helper()
	for _, c := range []string{"IMAP4REV1", "IDLE", "UIDPLUS", "MOVE", "LITERAL+"} {
		if !slices.Contains(r.Caps, c) {
			t.Errorf("capabilities %v lack %s", r.Caps, c)
		}
	}
	if got := slices.Contains(r.Caps, "STARTTLS"); got != (mode != "imaps") {
		t.Errorf("STARTTLS advertised = %v in mode %s", got, mode)
	}
	if mode == "starttls" && (r.StartTLS != "OK" || slices.Contains(r.CapsTLS, "STARTTLS") || !slices.Contains(r.CapsTLS, "IMAP4REV1")) {
		t.Errorf("STARTTLS %q, capabilities after %v", r.StartTLS, r.CapsTLS)
	}
	list := strings.Join(r.List, "\n")
	for _, want := range []string{`"INBOX"`, `\Sent`, `\Trash`, `\Drafts`, `\Junk`} {
		if !strings.Contains(list, want) {
			t.Errorf("LIST lacks %s:\n%s", want, list)
		}
	}
	if r.Login != "OK" || r.Select != "2" || r.SearchAll != "1 2" || r.SearchSubject != "2" {
		t.Errorf("login %q, select %q, search %q / %q", r.Login, r.Select, r.SearchAll, r.SearchSubject)
	}
	if got := latin1(r.RFC822); got != pyFirst {
		t.Errorf("RFC822 = %q, want %q", got, pyFirst)
	}
	if len(r.UIDFetch) != 2 || !strings.Contains(r.UIDFetch[0], "UID 1") || !strings.Contains(r.UIDFetch[1], "RFC822.SIZE "+strconv.Itoa(len(pySecond))) {
		t.Errorf("UID FETCH = %q", r.UIDFetch)
	}
	if len(r.Store) != 1 || !strings.Contains(r.Store[0], `\Seen`) || !strings.Contains(r.Store[0], `\Flagged`) {
		t.Errorf("STORE = %q", r.Store)
	}
	if r.Create != "OK" || r.Copy != "OK" || r.Append != "OK" || r.Rename != "OK" || r.Close != "OK" || r.Delete != "OK" {
		t.Errorf("create %q copy %q append %q rename %q close %q delete %q", r.Create, r.Copy, r.Append, r.Rename, r.Close, r.Delete)
	}
	if !strings.Contains(r.Status, "MESSAGES 2") || !strings.Contains(r.Status, "UIDNEXT 3") || !strings.Contains(r.Status, "UNSEEN 0") {
		t.Errorf("STATUS = %q", r.Status) // the copy kept \Seen; the append set it
	}
	if !slices.Equal(r.Expunge, []string{"2"}) || r.Examine != "2" || latin1(r.Appended) != pyAppend || r.Logout != "BYE" {
		t.Errorf("expunge %q, examine %q, appended %q, logout %q", r.Expunge, r.Examine, r.Appended, r.Logout)
	}
}

// latin1 turns the script's latin-1 text back into the bytes it stands for.
func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"intray/internal/clienttest"
)

// Jakarta Mail from Debian's libjakarta-mail-java (which .ci/run installs).
var jakartaJars = []string{"/usr/share/java/jakarta-mail.jar", "/usr/share/java/jakarta-activation.jar"}

// TestJakartaMail runs testdata/javamail/MailCheck.java, the JavaMail API
// as Java applications use it, against the binary: SMTP with STARTTLS and
// AUTH in, then IMAP and POP3 out, checked through the HTTP API as well.
func TestJakartaMail(t *testing.T) {
	javac, java := clienttest.Program(t, "javac"), clienttest.Program(t, "java")
	for _, jar := range jakartaJars {
		clienttest.Require(t, jar, "Jakarta Mail (Debian: libjakarta-mail-java)")
	}
	classes := t.TempDir()
	cp := strings.Join(jakartaJars, string(os.PathListSeparator))
	if out, err := exec.Command(javac, "-cp", cp, "-d", classes, filepath.Join("testdata", "javamail", "MailCheck.java")).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	p := startBinary(t)
	port := func(name string) string {
		_, pt, _ := net.SplitHostPort(p.addrs[name])
		return pt
	}
	out, err := exec.CommandContext(t.Context(), java, "-cp", classes+string(os.PathListSeparator)+cp,
		"MailCheck", port("smtp"), port("imap"), port("pop3")).CombinedOutput()
	if err != nil {
		t.Fatalf("java: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			got[k] = v
		}
	}
	for k, want := range map[string]string{
		"sent":          "true",
		"imap.count":    "1",
		"imap.subject":  "Grüße from Jakarta Mail",
		"imap.from":     "Jäva Sender",
		"imap.parts":    "2",
		"imap.text":     `Hello from Java.\r\n.a line with a dot\r\n`, // as sent: CRLF on the wire
		"imap.filename": "data.bin",
		"imap.data":     "[0, 1, 2, -1]",
		"imap.flagged":  "true",
		"imap.created":  "true",
		"imap.archived": "1",
		"pop3.count":    "1",
		"pop3.subject":  "Grüße from Jakarta Mail",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q (all output:\n%s)", k, got[k], want, out)
		}
	}

	base := "http://" + p.addrs["http"]
	var list struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	getJSON(t, base+"/api/v1/messages", &list)
	if len(list.Messages) != 1 {
		t.Fatalf("API lists %d messages, want 1", len(list.Messages))
	}
	var full struct {
		Envelope struct {
			MailFrom string   `json:"mailFrom"`
			RcptTo   []string `json:"rcptTo"`
			Helo     string   `json:"helo"`
			AuthUser string   `json:"authUser"`
			TLS      bool     `json:"tls"`
		} `json:"envelope"`
		HasAttachments bool `json:"hasAttachments"`
	}
	getJSON(t, base+"/api/v1/messages/"+list.Messages[0].ID, &full)
	env := full.Envelope
	if env.MailFrom != "java@example.com" || len(env.RcptTo) != 1 || env.Helo != "java.example" ||
		env.AuthUser != "java-user" || !env.TLS || !full.HasAttachments {
		t.Errorf("stored %+v", full)
	}

}

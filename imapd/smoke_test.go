package imapd

import (
	"testing"
)

func TestSmoke(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, "bob@example.com")
	r := env.raw()
	t.Log(r.line())
	t.Log(r.cmd("a1", "CAPABILITY"))
	t.Log(r.cmd("a2", "LOGIN bob@example.com x"))
	t.Log(r.cmd("a3", `LIST "" *`))
	t.Log(r.cmd("a4", `SELECT INBOX`))
	t.Log(r.cmd("a5", `FETCH 1:* (FLAGS UID ENVELOPE BODYSTRUCTURE RFC822.SIZE INTERNALDATE)`))
	t.Log(r.cmd("a6", `FETCH 1 BODY[]`))
	t.Log(r.cmd("a7", `FETCH 1 FLAGS`))
	t.Log(r.cmd("a8", `STATUS INBOX (MESSAGES UNSEEN UIDNEXT)`))
	t.Log(r.cmd("a9", `LOGOUT`))
}

func TestSmokeSearch(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, "bob@example.com")
	env.add("Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n", "bob@example.com")
	r := env.raw()
	r.line()
	r.cmd("a2", "LOGIN bob@example.com x")
	r.cmd("a4", `SELECT INBOX`)
	t.Log(r.cmd("a5", `SEARCH TEXT "how are"`))
	t.Log(r.cmd("a6", `UID SEARCH TEXT world`))
	t.Log(r.cmd("a7", `SEARCH CHARSET UTF-8 SUBJECT "grüß"`))
	t.Log(r.cmd("a8", `SEARCH OR FROM alice NOT SUBJECT hello`))
	t.Log(r.cmd("a9", `SEARCH CHARSET KOI8 ALL`))
	t.Log(r.cmd("b1", `SEARCH SINCE 1-Mar-2024 SENTON 1-Mar-2024`))
}

package imapd

import (
	"bytes"
	"crypto/tls"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// nestedMsg is multipart/mixed > (multipart/alternative > text, html),
// message/rfc822 > multipart/mixed > (text, attachment).
const nestedMsg = "From: Carol <carol@example.com>\r\n" +
	"To: dave@example.com\r\n" +
	"Subject: Nested\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n" +
	"\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=alt\r\n" +
	"\r\n" +
	"--alt\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"plain body\r\n" +
	"--alt\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"<p>html =C3=A9t=C3=A9 body</p>\r\n" +
	"--alt--\r\n" +
	"--outer\r\n" +
	"Content-Type: message/rfc822\r\n" +
	"\r\n" +
	"From: Eve <eve@example.com>\r\n" +
	"Subject: Inner\r\n" +
	"Content-Type: multipart/mixed; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain\r\n" +
	"\r\n" +
	"inner text\r\n" +
	"--inner\r\n" +
	"Content-Type: application/pdf; name=doc.pdf\r\n" +
	"Content-Disposition: attachment; filename=doc.pdf\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"JVBERi0=\r\n" +
	"--inner--\r\n" +
	"--outer--\r\n"

func TestClientCatchAllAndRecipient(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, "bob@example.com")
	env.add(nestedMsg, "dave@example.com")
	for _, tc := range []struct {
		user string
		want int
	}{{"anyone", 2}, {"bob@example.com", 1}, {"DAVE@example.com", 1}, {"nobody@example.com", 0}} {
		c := env.client(tc.user)
		data, err := c.Select("INBOX", nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if int(data.NumMessages) != tc.want {
			t.Errorf("%s: %d messages, want %d", tc.user, data.NumMessages, tc.want)
		}
	}
}

func TestClientFetchItems(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, "bob@example.com")
	env.add(nestedMsg, "bob@example.com")
	c := env.client("bob@example.com")
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1, 2), &imap.FetchOptions{
		Flags: true, UID: true, Envelope: true, RFC822Size: true, InternalDate: true,
		BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
	}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].UID != 1 || msgs[1].UID != 2 {
		t.Fatalf("got %d messages", len(msgs))
	}
	m := msgs[0]
	if m.Envelope.Subject != "Hello there" || m.Envelope.From[0].Addr() != "alice@example.com" ||
		m.RFC822Size != int64(len(simpleMsg)) || !m.InternalDate.Equal(fixedNow) {
		t.Errorf("message 1: %+v", m.Envelope)
	}
	if !slices.Contains(m.Flags, imap.Flag(`\Recent`)) || slices.Contains(m.Flags, imap.FlagSeen) {
		t.Errorf("flags %v", m.Flags)
	}
	checkNestedStructure(t, msgs[1].BodyStructure)
}

func checkNestedStructure(t *testing.T, bs imap.BodyStructure) {
	t.Helper()
	mixed, ok := bs.(*imap.BodyStructureMultiPart)
	if !ok || !strings.EqualFold(mixed.Subtype, "mixed") || len(mixed.Children) != 2 {
		t.Fatalf("root: %#v", bs)
	}
	alt := mixed.Children[0].(*imap.BodyStructureMultiPart)
	if !strings.EqualFold(alt.Subtype, "alternative") || len(alt.Children) != 2 {
		t.Fatalf("alternative: %#v", alt)
	}
	html := alt.Children[1].(*imap.BodyStructureSinglePart)
	if !strings.EqualFold(html.Type+"/"+html.Subtype, "text/html") || !strings.EqualFold(html.Encoding, "quoted-printable") || html.Params["charset"] != "utf-8" {
		t.Errorf("html part: %+v", html)
	}
	rfc := mixed.Children[1].(*imap.BodyStructureSinglePart)
	if rfc.MessageRFC822 == nil || rfc.MessageRFC822.Envelope.Subject != "Inner" {
		t.Fatalf("message/rfc822 part: %+v", rfc)
	}
	inner := rfc.MessageRFC822.BodyStructure.(*imap.BodyStructureMultiPart)
	att := inner.Children[1].(*imap.BodyStructureSinglePart)
	if !strings.EqualFold(att.Subtype, "pdf") || !strings.EqualFold(att.Disposition().Value, "attachment") || att.Filename() != "doc.pdf" {
		t.Errorf("attachment: %+v", att)
	}
}

func TestClientFetchSections(t *testing.T) {
	env := newEnv(t)
	env.add(nestedMsg, "bob@example.com")
	c := env.client("bob@example.com")
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	sections := []*imap.FetchItemBodySection{
		{Part: []int{1, 1}, Peek: true},
		{Part: []int{2, 1}, Peek: true},
		{Part: []int{2}, Specifier: imap.PartSpecifierHeader, Peek: true},
		{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"Subject", "From"}, Peek: true},
		{Peek: true, Partial: &imap.SectionPartial{Offset: 6, Size: 5}},
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: sections, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"plain body",
		"inner text",
		"From: Eve <eve@example.com>\r\nSubject: Inner\r\nContent-Type: multipart/mixed; boundary=inner\r\n\r\n",
		"From: Carol <carol@example.com>\r\nSubject: Nested\r\n\r\n",
		"Carol",
	}
	for i, s := range sections {
		if got := string(msgs[0].FindBodySection(s)); got != want[i] {
			t.Errorf("section %d = %q, want %q", i, got, want[i])
		}
	}
	if slices.Contains(msgs[0].Flags, imap.FlagSeen) {
		t.Error("PEEK set \\Seen")
	}
	// A non-PEEK fetch sets \Seen and reports it.
	msgs, err = c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierText}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(msgs[0].Flags, imap.FlagSeen) {
		t.Errorf("BODY[TEXT] did not report \\Seen: %v", msgs[0].Flags)
	}
}

func TestClientPerMailboxFlags(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, "bob@example.com")
	bob := env.client("bob@example.com")
	if _, err := bob.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen, imap.FlagFlagged, "$Label1"}}
	msgs, err := bob.Store(imap.SeqSetNum(1), store, nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || !slices.Contains(msgs[0].Flags, "$Label1") || !slices.Contains(msgs[0].Flags, imap.FlagFlagged) {
		t.Fatalf("STORE answer %+v", msgs)
	}
	all := env.client("catchall")
	if _, err := all.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err = all.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(msgs[0].Flags, imap.FlagSeen) || slices.Contains(msgs[0].Flags, imap.FlagFlagged) {
		t.Errorf("catch-all sees bob's flags: %v", msgs[0].Flags)
	}
	// Remove, replace, silent.
	store = &imap.StoreFlags{Op: imap.StoreFlagsSet, Silent: true, Flags: []imap.Flag{imap.FlagAnswered}}
	if err := bob.Store(imap.SeqSetNum(1), store, nil).Close(); err != nil {
		t.Fatal(err)
	}
	msgs, err = bob.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if got := msgs[0].Flags; !slices.Equal(got, []imap.Flag{imap.FlagAnswered, imap.Flag(`\Recent`)}) {
		t.Errorf("after FLAGS.SILENT: %v", got)
	}
}

func TestClientMoveCopy(t *testing.T) {
	env := newEnv(t)
	for range 3 {
		env.add(simpleMsg, "bob@example.com")
	}
	c := env.client("bob@example.com")
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	copyData, err := c.Copy(imap.SeqSetNum(1), "Trash").Wait()
	if err != nil {
		t.Fatal(err)
	}
	if copyData.UIDValidity == 0 || copyData.SourceUIDs.String() != "1" || copyData.DestUIDs.String() != "1" {
		t.Errorf("COPYUID %+v", copyData)
	}
	moveData, err := c.Move(imap.UIDSetNum(2, 3), "Trash").Wait()
	if err != nil {
		t.Fatal(err)
	}
	if moveData.SourceUIDs.String() != "2:3" || moveData.DestUIDs.String() != "2:3" {
		t.Errorf("MOVE COPYUID %v -> %v", moveData.SourceUIDs, moveData.DestUIDs)
	}
	if n := c.Mailbox().NumMessages; n != 1 {
		t.Errorf("INBOX has %d messages after MOVE, want 1", n)
	}
	st, err := c.Status("Trash", &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if *st.NumMessages != 3 {
		t.Errorf("Trash has %d", *st.NumMessages)
	}
	if _, err := c.Copy(imap.SeqSetNum(1), "Nowhere").Wait(); err == nil || !strings.Contains(err.Error(), "TRYCREATE") {
		t.Errorf("COPY to a missing mailbox: %v", err)
	}
}

func TestClientAppend(t *testing.T) {
	env := newEnv(t)
	c := env.client("bob@example.com")
	date := time.Date(2023, 5, 6, 7, 8, 9, 0, time.FixedZone("", 2*3600))
	cmd := c.Append("Drafts", int64(len(simpleMsg)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDraft, "$Work"}, Time: date})
	if _, err := cmd.Write([]byte(simpleMsg)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if data.UID != 1 || data.UIDValidity == 0 {
		t.Errorf("APPENDUID %+v", data)
	}
	if _, err := c.Select("Drafts", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true, InternalDate: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	if !m.InternalDate.Equal(date) || !slices.Contains(m.Flags, imap.FlagDraft) || !slices.Contains(m.Flags, "$Work") {
		t.Errorf("appended: %v %v", m.InternalDate, m.Flags)
	}
	if got := m.FindBodySection(&imap.FetchItemBodySection{Peek: true}); !bytes.Equal(got, []byte(simpleMsg)) {
		t.Errorf("body %q", got)
	}
}

func TestClientSearch(t *testing.T) {
	env := newEnv(t)
	env.add(simpleMsg, "bob@example.com")
	env.add(nestedMsg, "bob@example.com")
	env.add("Subject: =?ISO-8859-1?Q?caf=E9?=\r\nFrom: x@y.z\r\n\r\nplain\r\n", "bob@example.com")
	c := env.client("bob@example.com")
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		crit imap.SearchCriteria
		want []uint32
	}{
		{"text", imap.SearchCriteria{Text: []string{"HOW ARE"}}, []uint32{1}},
		{"qp body", imap.SearchCriteria{Body: []string{"été"}}, []uint32{2}},
		{"nested text", imap.SearchCriteria{Body: []string{"inner text"}}, []uint32{2}},
		{"encoded subject", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "CAFÉ"}}}, []uint32{3}},
		{"flag", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagFlagged}}, []uint32{2}},
		{"not flag", imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagFlagged}}, []uint32{1, 3}},
		{"or", imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{{Text: []string{"carol"}}, {Text: []string{"alice"}}}}}, []uint32{1, 2}},
		{"not or", imap.SearchCriteria{Not: []imap.SearchCriteria{{Or: [][2]imap.SearchCriteria{{{Larger: 500}, {Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: "x@y"}}}}}}}}, []uint32{1}},
		{"uid", imap.SearchCriteria{UID: []imap.UIDSet{imap.UIDSetNum(2, 3)}, Smaller: 200}, []uint32{3}},
		{"since", imap.SearchCriteria{Since: fixedNow, SentBefore: time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)}, []uint32{1, 2, 3}},
	} {
		data, err := c.Search(&tc.crit, &imap.SearchOptions{}).Wait()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := data.AllSeqNums(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestClientMailboxes(t *testing.T) {
	env := newEnv(t)
	c := env.client("bob@example.com")
	for _, name := range []string{"Work/Projects/A", "Work/B"} {
		if err := c.Create(name, nil).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Create("Work/B", nil).Wait(); err == nil {
		t.Error("CREATE of an existing mailbox succeeded")
	}
	if err := c.Rename("Work/B", "Work/C", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	list, err := c.List("", "Work/%", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range list {
		names = append(names, l.Mailbox+" "+fmtAttrs(l.Attrs))
	}
	want := []string{`Work/C \HasNoChildren`, `Work/Projects \HasChildren`}
	if !slices.Equal(names, want) {
		t.Errorf("LIST Work/%%: %q, want %q", names, want)
	}
	list, err = c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	special := map[string]imap.MailboxAttr{}
	for _, l := range list {
		for _, a := range l.Attrs {
			if a == imap.MailboxAttrSent || a == imap.MailboxAttrTrash || a == imap.MailboxAttrDrafts || a == imap.MailboxAttrJunk {
				special[l.Mailbox] = a
			}
		}
	}
	if len(special) != 4 || special["Sent"] != imap.MailboxAttrSent {
		t.Errorf("special-use: %v", special)
	}
	if err := c.Delete("Work/C").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("INBOX").Wait(); err == nil {
		t.Error("DELETE INBOX succeeded")
	}
	if err := c.Unsubscribe("Sent").Wait(); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true, NumUnseen: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if *st.NumMessages != 0 || st.UIDNext != 1 || st.UIDValidity == 0 {
		t.Errorf("STATUS %+v", st)
	}
}

func fmtAttrs(attrs []imap.MailboxAttr) string {
	s := make([]string, len(attrs))
	for i, a := range attrs {
		s[i] = string(a)
	}
	return strings.Join(s, " ")
}

func TestClientExpungeCloseUnselect(t *testing.T) {
	env := newEnv(t)
	for range 4 {
		env.add(simpleMsg, "bob@example.com")
	}
	c := env.client("bob@example.com")
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	del := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
	if err := c.Store(imap.SeqSetNum(1, 2, 4), del, nil).Close(); err != nil {
		t.Fatal(err)
	}
	seqs, err := c.UIDExpunge(imap.UIDSetNum(4)).Collect()
	if err != nil || !slices.Equal(seqs, []uint32{4}) {
		t.Fatalf("UID EXPUNGE: %v %v", seqs, err)
	}
	seqs, err = c.Expunge().Collect()
	if err != nil || !slices.Equal(seqs, []uint32{1, 1}) {
		t.Fatalf("EXPUNGE: %v %v", seqs, err)
	}
	if err := c.Store(imap.SeqSetNum(1), del, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait(); *st.NumMessages != 1 {
		t.Errorf("UNSELECT expunged")
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.UnselectAndExpunge().Wait(); err != nil { // CLOSE
		t.Fatal(err)
	}
	if st, _ := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait(); *st.NumMessages != 0 {
		t.Errorf("CLOSE did not expunge")
	}
}

func TestClientAuthenticatePlainAndStartTLS(t *testing.T) {
	env := newEnv(t, withTLS(t))
	env.add(simpleMsg, "bob@example.com")
	c, err := imapclient.DialStartTLS(env.addr, &imapclient.Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if caps := c.Caps(); caps.Has(imap.CapStartTLS) || !caps.Has(imap.CapSASLIR) {
		t.Errorf("capabilities after STARTTLS: %v", caps)
	}
	if err := c.Authenticate(sasl.NewPlainClient("", "bob@example.com", "pw")); err != nil {
		t.Fatal(err)
	}
	data, err := c.Select("INBOX", nil).Wait()
	if err != nil || data.NumMessages != 1 {
		t.Fatalf("SELECT after AUTHENTICATE: %v %v", data, err)
	}
}

func TestClientNamespaceIDEnable(t *testing.T) {
	env := newEnv(t)
	c := env.client("bob@example.com")
	ns, err := c.Namespace().Wait()
	if err != nil || len(ns.Personal) != 1 || ns.Personal[0].Delim != '/' {
		t.Errorf("NAMESPACE %+v %v", ns, err)
	}
	id, err := c.ID(&imap.IDData{Name: "test"}).Wait()
	if err != nil || id.Name != "intray" {
		t.Errorf("ID %+v %v", id, err)
	}
}

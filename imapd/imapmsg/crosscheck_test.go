package imapmsg

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"intray/memstore/mimepart"
)

// fetchWithGoIMAP serves one FETCH response made of items to go-imap's
// client over a pipe and returns what the client decoded. go-imap is an
// independent implementation of the RFC 3501 grammar.
func fetchWithGoIMAP(t *testing.T, items []byte) *imapclient.FetchMessageBuffer {
	t.Helper()
	cli, srv := net.Pipe()
	go func() {
		defer srv.Close()
		br := bufio.NewReader(srv)
		if _, err := io.WriteString(srv, "* OK [CAPABILITY IMAP4rev1] ready\r\n"); err != nil {
			return
		}
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		tag, _, _ := strings.Cut(line, " ")
		resp := append([]byte("* 1 FETCH ("), items...)
		resp = append(resp, ")\r\n"+tag+" OK done\r\n"...)
		if _, err := srv.Write(resp); err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, br)
	}()
	c := imapclient.New(cli, nil)
	defer c.Close()
	opts := &imap.FetchOptions{Envelope: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true}}
	msgs, err := c.Fetch(imap.SeqSetNum(1), opts).Collect()
	if err != nil {
		t.Fatalf("go-imap rejected %q: %v", items, err)
	}
	if len(msgs) != 1 {
		t.Fatalf("go-imap decoded %d messages", len(msgs))
	}
	return msgs[0]
}

// TestCrossCheckGoIMAP has go-imap's client parse the ENVELOPE and
// BODYSTRUCTURE of every corpus message and compares what it decoded with
// the MIME tree the output was rendered from.
func TestCrossCheckGoIMAP(t *testing.T) {
	for _, name := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			raw := loadMessage(t, name)
			root := mimepart.Parse(raw)
			items := []byte("ENVELOPE ")
			items = AppendEnvelope(items, raw, root)
			items = append(items, " BODYSTRUCTURE "...)
			items = AppendBodyStructure(items, raw, root, true)
			msg := fetchWithGoIMAP(t, items)
			if msg.Envelope == nil || msg.BodyStructure == nil {
				t.Fatalf("go-imap decoded no envelope or body structure from %q", items)
			}
			compareEnvelope(t, msg.Envelope, root)
			compareBody(t, "", msg.BodyStructure, raw, root)
		})
	}
}

func compareEnvelope(t *testing.T, env *imap.Envelope, p *mimepart.Part) {
	t.Helper()
	h := p.Header
	if id := h.GetRaw("Message-ID"); id != "" && "<"+env.MessageID+">" != id {
		t.Errorf("Message-ID: go-imap %q, header %q", env.MessageID, id)
	}
	if subj := h.Get("Subject"); !strings.Contains(h.GetRaw("Subject"), "=?") && isASCII(subj) && env.Subject != subj {
		t.Errorf("Subject: go-imap %q, header %q", env.Subject, subj)
	}
	from := mimepart.ParseAddressList(h.GetRaw("From"))
	if len(from) != len(env.From) {
		t.Fatalf("From: go-imap %v, header %v", env.From, from)
	}
	for i, a := range from {
		if got := env.From[i].Addr(); !strings.EqualFold(got, a.Address) {
			t.Errorf("From[%d]: go-imap %q, header %q", i, got, a.Address)
		}
	}
	if len(env.Sender) == 0 || len(env.ReplyTo) == 0 && len(from) > 0 {
		t.Errorf("Sender/Reply-To not defaulted: %v %v", env.Sender, env.ReplyTo)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// compareBody checks a body structure decoded by go-imap against p.
func compareBody(t *testing.T, path string, bs imap.BodyStructure, raw []byte, p *mimepart.Part) {
	t.Helper()
	typ, sub := splitType(p.MediaType)
	switch bs := bs.(type) {
	case *imap.BodyStructureMultiPart:
		if !p.IsMultipart() || len(bs.Children) != len(p.Parts) || !strings.EqualFold(bs.Subtype, sub) {
			t.Fatalf("part %q: go-imap multipart/%s with %d children, tree %s with %d", path, bs.Subtype, len(bs.Children), p.MediaType, len(p.Parts))
		}
		if bs.Extended == nil || bs.Extended.Params["boundary"] != p.Params["boundary"] {
			t.Errorf("part %q: boundary %+v", path, bs.Extended)
		}
		for i, c := range bs.Children {
			compareBody(t, p.Parts[i].ID, c, raw, p.Parts[i])
		}
	case *imap.BodyStructureSinglePart:
		if !strings.EqualFold(bs.Type, typ) || !strings.EqualFold(bs.Subtype, sub) {
			t.Errorf("part %q: go-imap %s/%s, tree %s", path, bs.Type, bs.Subtype, p.MediaType)
		}
		if int(bs.Size) != p.Size() || !strings.EqualFold(bs.Encoding, p.Encoding) {
			t.Errorf("part %q: go-imap size %d encoding %s, tree %d %s", path, bs.Size, bs.Encoding, p.Size(), p.Encoding)
		}
		if id := strings.Trim(bs.ID, "<>"); id != p.ContentID {
			t.Errorf("part %q: id %q, tree %q", path, bs.ID, p.ContentID)
		}
		if cs := p.Params["charset"]; cs != "" && bs.Params["charset"] != cs {
			t.Errorf("part %q: charset %q, tree %q", path, bs.Params["charset"], cs)
		}
		if fn := bs.Filename(); fn != p.Filename && p.Filename != "" {
			t.Errorf("part %q: filename %q, tree %q", path, fn, p.Filename)
		}
		if bs.Text != nil && int(bs.Text.NumLines) != Lines(raw[p.BodyStart:p.BodyEnd]) {
			t.Errorf("part %q: lines %d, body has %d", path, bs.Text.NumLines, Lines(raw[p.BodyStart:p.BodyEnd]))
		}
		if bs.Extended == nil {
			t.Fatalf("part %q: no extension data", path)
		}
		if d := bs.Extended.Disposition; (d == nil) != (p.Disposition == "") || d != nil && !strings.EqualFold(d.Value, p.Disposition) {
			t.Errorf("part %q: disposition %+v, tree %q", path, d, p.Disposition)
		}
		if m := bs.MessageRFC822; m != nil {
			if int(m.NumLines) != Lines(raw[p.BodyStart:p.BodyEnd]) {
				t.Errorf("part %q: message lines %d", path, m.NumLines)
			}
			if p.Embedded != nil {
				compareEnvelope(t, m.Envelope, p.Embedded)
				compareBody(t, path+".1", m.BodyStructure, raw, p.Embedded)
			}
		} else if typ == "message" && (sub == "rfc822" || sub == "global") {
			t.Errorf("part %q: go-imap saw no encapsulated message", path)
		}
	default:
		t.Fatalf("part %q: unexpected %T", path, bs)
	}
}

package imapd_test

import (
	"errors"
	"net"
	"net/smtp"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"intray/imapd"
	"intray/memstore"
	"intray/smtpd"
)

// TestIdleSMTPArrival: a message sent by SMTP reaches an IDLE-ing IMAP
// session as EXISTS, end to end through real servers and clients.
func TestIdleSMTPArrival(t *testing.T) {
	store := memstore.New(memstore.Options{})
	imapSrv := &imapd.Server{Store: store}
	smtpSrv := &smtpd.Server{Store: store}
	imapAddr := serve(t, imapSrv.Serve, imapSrv.Close)
	smtpAddr := serve(t, smtpSrv.Serve, smtpSrv.Close)

	exists := make(chan uint32, 4)
	c, err := imapclient.DialInsecure(imapAddr, &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				exists <- *d.NumMessages
			}
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("rcpt@example.com", "x").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	msg := "From: a@example.com\r\nTo: rcpt@example.com\r\nSubject: hi\r\n\r\nbody\r\n"
	if err := smtp.SendMail(smtpAddr, nil, "a@example.com", []string{"rcpt@example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-exists:
		if n != 1 {
			t.Errorf("EXISTS %d", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no EXISTS during IDLE")
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
}

func serve(t *testing.T, serveFn func(net.Listener) error, closeFn func() error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serveFn(ln) }()
	t.Cleanup(func() {
		_ = closeFn()
		if err := <-done; err != nil && !errors.Is(err, imapd.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

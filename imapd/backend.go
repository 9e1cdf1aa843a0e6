package imapd

import (
	"time"

	"intray/memstore"
)

// Store is what the IMAP server needs from the mail store, split by
// concern. *memstore.Store satisfies it; every method takes the login name,
// which memstore maps to a user (memstore.UserKey). A selected session
// follows its mailbox through SubscribeUser, which delivers only the events
// that touch that login's mailboxes (and resets), so mail for other
// recipients neither wakes the session nor fills its buffer.
type Store interface {
	Folders
	Messages
	SubscribeUser(buffer int, login string) *memstore.Subscription
}

// Folders is the mailbox (folder) side of the store.
type Folders interface {
	ListMailboxes(login string) []memstore.MailboxInfo
	Status(login, name string) (memstore.MailboxInfo, error)
	CreateMailbox(login, name string) error
	DeleteMailbox(login, name string) error
	RenameMailbox(login, oldName, newName string) error
	SetSubscribed(login, name string, on bool) error
}

// Messages is the message side of the store.
type Messages interface {
	Snapshot(login, name string) (memstore.MailboxInfo, []memstore.Entry, error)
	// The selected mailbox is named with its ID (memstore.MailboxRef), so
	// that a command never acts on a mailbox deleted and re-created (or
	// renamed onto the name) since the session selected it.
	ClaimRecent(login string, ref memstore.MailboxRef) ([]uint32, error)
	SetFlags(login string, ref memstore.MailboxRef, uids []uint32, op memstore.FlagOp, flags memstore.Flags, keywords []string) ([]memstore.Entry, error)
	Expunge(login string, ref memstore.MailboxRef, uids []uint32) ([]uint32, error)
	Copy(login string, src memstore.MailboxRef, dst string, uids []uint32) (memstore.CopyResult, error)
	Move(login string, src memstore.MailboxRef, dst string, uids []uint32) (memstore.CopyResult, error)
	Append(login, name string, raw []byte, flags memstore.Flags, keywords []string, date time.Time) (uidValidity, uid uint32, err error)
}

var _ Store = (*memstore.Store)(nil)

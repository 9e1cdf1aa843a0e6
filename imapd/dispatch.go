package imapd

import "errors"

// states is a set of connection states in which a command is allowed.
type states uint8

const (
	inNotAuth  states = 1 << stateNotAuth
	inAuth     states = 1 << stateAuth
	inSelected states = 1 << stateSelected
	anyState          = inNotAuth | inAuth | inSelected
	loggedIn          = inAuth | inSelected
)

// command is one row of the command table.
type command struct {
	states states
	uid    bool // has a UID form (RFC 3501 6.4.8, RFC 4315 2.1)
	// holdExpunge: EXPUNGE responses must wait until a later command
	// (RFC 3501 7.4.1: not during FETCH, STORE or SEARCH; UID forms excepted).
	holdExpunge bool
	// whenGone: the command still runs when the selected mailbox is gone;
	// any other ends the session with BYE (see goneBye).
	whenGone bool
	run      func(*conn, *request) error
}

// commands is the command table: name -> allowed states and handler.
var commands = map[string]command{
	"CAPABILITY":   {states: anyState, run: (*conn).capability},
	"NOOP":         {states: anyState, run: (*conn).noop},
	"LOGOUT":       {states: anyState, whenGone: true, run: (*conn).logout},
	"ID":           {states: anyState, run: (*conn).id},
	"STARTTLS":     {states: inNotAuth, run: (*conn).starttls},
	"LOGIN":        {states: inNotAuth, run: (*conn).loginCmd},
	"AUTHENTICATE": {states: inNotAuth, run: (*conn).authenticate},
	"SELECT":       {states: loggedIn, run: (*conn).selectCmd},
	"EXAMINE":      {states: loggedIn, run: (*conn).selectCmd},
	"CREATE":       {states: loggedIn, run: (*conn).create},
	"DELETE":       {states: loggedIn, run: (*conn).deleteCmd},
	"RENAME":       {states: loggedIn, run: (*conn).rename},
	"SUBSCRIBE":    {states: loggedIn, run: (*conn).subscribe},
	"UNSUBSCRIBE":  {states: loggedIn, run: (*conn).subscribe},
	"LIST":         {states: loggedIn, run: (*conn).list},
	"LSUB":         {states: loggedIn, run: (*conn).list},
	"STATUS":       {states: loggedIn, run: (*conn).status},
	"APPEND":       {states: loggedIn, run: (*conn).appendCmd},
	"NAMESPACE":    {states: loggedIn, run: (*conn).namespace},
	"ENABLE":       {states: inAuth, run: (*conn).enable},
	"IDLE":         {states: loggedIn, run: (*conn).idle},
	"CHECK":        {states: inSelected, run: (*conn).noop},
	"CLOSE":        {states: inSelected, whenGone: true, run: (*conn).closeCmd},
	"UNSELECT":     {states: inSelected, whenGone: true, run: (*conn).unselectCmd},
	"EXPUNGE":      {states: inSelected, uid: true, run: (*conn).expunge},
	"SEARCH":       {states: inSelected, uid: true, holdExpunge: true, run: (*conn).search},
	"FETCH":        {states: inSelected, uid: true, holdExpunge: true, run: (*conn).fetch},
	"STORE":        {states: inSelected, uid: true, holdExpunge: true, run: (*conn).store},
	"COPY":         {states: inSelected, uid: true, run: (*conn).copyCmd},
	"MOVE":         {states: inSelected, uid: true, run: (*conn).move},
}

// errHangup is returned by a handler after which the connection is over
// and nothing more may be written (the client went away mid-command).
var errHangup = errors.New("connection lost")

// dispatch looks the command up, checks the state, runs it and answers.
func (c *conn) dispatch(req *request) {
	cmd, ok := commands[req.name]
	if !ok || (req.uid && !cmd.uid) {
		c.writeStatus(req.tag, bad("Unknown command").(*respError))
		c.countError()
		return
	}
	if cmd.states&(1<<c.state) == 0 {
		c.writeStatus(req.tag, bad("Command not allowed when "+c.state.String()).(*respError))
		c.countError()
		return
	}
	c.poll()
	if c.sel != nil && c.sel.gone && !cmd.whenGone {
		c.goneBye()
		return
	}
	err := cmd.run(c, req)
	c.finish(req, cmd, err)
}

// goneBye ends a session whose selected mailbox was deleted (by any
// session) or replaced by another of the same name: its sequence numbers
// and UIDs mean nothing any more, and a command that used the name could
// reach the new mailbox. RFC 3501 7.1.5 lets the server close the
// connection with BYE at any time; Dovecot does the same here.
func (c *conn) goneBye() {
	c.bye("Selected mailbox was deleted, have to disconnect")
	c.unselect()
	c.state = stateLogout
}

// finish writes the pending updates and the tagged response of a command.
// It is the one place where errors become responses.
func (c *conn) finish(req *request, cmd command, err error) {
	if errors.Is(err, errHangup) {
		c.state = stateLogout
		return
	}
	if err == nil && req.done {
		return
	}
	if err == nil {
		c.errs = 0
		c.flushUpdates(!cmd.holdExpunge || req.uid)
		text := req.okText
		if text == "" {
			text = req.name + " completed"
		}
		c.writeTagged(req.tag, "OK", req.okCode, text)
		return
	}
	re, unknown := status(err)
	if unknown {
		c.log.Error("imap command failed", "cmd", req.name, "err", err)
	}
	if re.kind == "NO" {
		if !re.counts {
			c.errs = 0
		}
		c.flushUpdates(!cmd.holdExpunge || req.uid)
	}
	c.writeStatus(req.tag, re)
	if re.fatal {
		c.bye("Protocol error")
		c.state = stateLogout
		return
	}
	if re.kind == "BAD" || re.counts {
		c.countError()
	}
}

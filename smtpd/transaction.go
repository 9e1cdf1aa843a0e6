package smtpd

import "strconv"

// transaction is the envelope of the mail transaction under way. It is
// reset in one place, (*conn).resetTx.
type transaction struct {
	from     string
	rcpts    []string // handed to the store; never reused after delivery
	sizeHint int64    // the MAIL SIZE= parameter, 0 if none
	utf8     bool     // MAIL SMTPUTF8
	body     []byte   // BDAT chunks so far

	transcript []byte // "C: "/"S: " lines, reused between transactions
	omitted    int    // lines left out of the transcript over maxTranscript
}

// resetTx ends the transaction: after delivery, RSET, HELO/EHLO, STARTTLS,
// AUTH or a failed transfer.
func (c *conn) resetTx() {
	t := &c.tx
	t.from, t.rcpts, t.sizeHint, t.utf8 = "", nil, 0, false
	t.body = nil // the scratch buffer it may alias stays in conn.scratch
	if cap(t.transcript) > 2*maxTranscript {
		t.transcript = nil
	}
	t.transcript, t.omitted = t.transcript[:0], 0
	c.state = stateReady
}

// recordCommand appends "C: line" to the transcript.
func (t *transaction) recordCommand(line []byte) {
	if len(line) > maxRecordedLine {
		line = line[:maxRecordedLine]
	}
	if !t.fits(len(line)) {
		return
	}
	t.transcript = append(t.transcript, "C: "...)
	t.transcript = append(t.transcript, line...)
	t.transcript = append(t.transcript, "\r\n"...)
}

// recordReply appends "S: line" for every line of a reply.
func (t *transaction) recordReply(reply string) {
	for len(reply) > 0 {
		n := len(reply)
		for i := 0; i+1 < len(reply); i++ {
			if reply[i] == '\r' && reply[i+1] == '\n' {
				n = i + 2
				break
			}
		}
		if t.fits(n) {
			t.transcript = append(t.transcript, "S: "...)
			t.transcript = append(t.transcript, reply[:n]...)
		}
		reply = reply[n:]
	}
}

// fits reports whether a line of n bytes still fits in the transcript,
// counting it as omitted otherwise.
func (t *transaction) fits(n int) bool {
	if len(t.transcript)+n+5 > maxTranscript {
		t.omitted++
		return false
	}
	return true
}

// finalTranscript returns the transcript for delivery, ending with the
// final reply, which is always kept.
func (t *transaction) finalTranscript(final string) string {
	if t.omitted > 0 {
		t.transcript = append(t.transcript, "[... "...)
		t.transcript = strconv.AppendInt(t.transcript, int64(t.omitted), 10)
		t.transcript = append(t.transcript, " lines omitted ...]\r\n"...)
	}
	t.transcript = append(t.transcript, "S: "...)
	t.transcript = append(t.transcript, final...)
	return string(t.transcript)
}

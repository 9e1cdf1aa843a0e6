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
// AUTH, a failed transfer or a refusal while chunking (abortTx). It also
// stops recording, so the reply to the command that ended the transaction
// does not open the next transaction's transcript.
func (c *conn) resetTx() {
	c.rec = false
	t := &c.tx
	t.from, t.rcpts, t.sizeHint, t.utf8 = "", nil, 0, false
	t.body = nil // the scratch buffer it may alias stays in conn.scratch
	if cap(t.transcript) > 2*maxTranscript {
		t.transcript = nil
	}
	t.transcript, t.omitted = t.transcript[:0], 0
	c.state = stateReady
}

// recordCommand appends "C: line" to the transcript, with every control
// byte escaped (see appendEscaped), so that no client byte can end the
// line or start a forged one.
func (t *transaction) recordCommand(line []byte) {
	if len(line) > maxRecordedLine {
		line = line[:maxRecordedLine]
	}
	if !t.fits(escapedLen(line)) {
		return
	}
	t.transcript = append(t.transcript, "C: "...)
	t.transcript = appendEscaped(t.transcript, line)
	t.transcript = append(t.transcript, "\r\n"...)
}

// isControl reports whether b is an ASCII control byte: below 0x20, or DEL.
func isControl(b byte) bool { return b < 0x20 || b == 0x7f }

// escapedLen returns the length of line after appendEscaped.
func escapedLen(line []byte) int {
	n := len(line)
	for _, b := range line {
		if isControl(b) {
			n += 3
		}
	}
	return n
}

// appendEscaped appends line to dst with every control byte written as
// \xNN (lower-case hex); other bytes, UTF-8 included, are copied as is.
func appendEscaped(dst, line []byte) []byte {
	const hex = "0123456789abcdef"
	for _, b := range line {
		if isControl(b) {
			dst = append(dst, '\\', 'x', hex[b>>4], hex[b&0xf])
		} else {
			dst = append(dst, b)
		}
	}
	return dst
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

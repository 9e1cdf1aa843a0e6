package imapd

import "strings"

// namespace answers NAMESPACE (RFC 2342): one personal namespace, no
// other users' or shared ones.
func (c *conn) namespace(req *request) error {
	if err := req.reader().end(); err != nil {
		return err
	}
	c.untagged(`NAMESPACE (("" "/")) NIL NIL`)
	return nil
}

// id answers ID (RFC 2971). The client's parameters are only checked for
// shape; they are logged at debug level.
func (c *conn) id(req *request) error {
	p := req.reader()
	a, err := p.next()
	if err != nil {
		return err
	}
	switch {
	case a.kind == argAtom && strings.EqualFold(a.s, "NIL"):
	case a.kind == argList && len(a.list)%2 == 0 && len(a.list) <= 60:
		c.log.Debug("imap client id", "params", len(a.list)/2)
	default:
		return bad("Invalid ID parameters")
	}
	if err := p.end(); err != nil {
		return err
	}
	c.untagged(`ID ("name" "intray" "vendor" "intray")`)
	return nil
}

// enable answers ENABLE (RFC 5161). intray supports no extension that
// must be enabled, so the list of enabled ones is always empty.
func (c *conn) enable(req *request) error {
	p := req.reader()
	if !p.more() {
		return bad("ENABLE needs at least one capability")
	}
	for p.more() {
		if _, err := p.atom(); err != nil {
			return err
		}
	}
	c.untagged("ENABLED")
	return nil
}

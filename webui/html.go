package webui

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"intray/memstore/mimepart"
)

// Patterns for the light HTML scanning this package does. They are not an
// HTML parser: they find what the preview and the links list need, and the
// CSP, not this scanning, is what keeps captured HTML harmless.
var (
	// tagRe matches a start tag: its name and its attribute text.
	tagRe = regexp.MustCompile(`<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>`)
	// attrRe matches one attribute with a value.
	attrRe = regexp.MustCompile(`(?i)(?:^|\s)([a-z][a-z0-9_:-]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)`)
	// cssURLRe matches a CSS url(...) or @import "..." reference.
	cssURLRe = regexp.MustCompile(`(?i)(?:url\(\s*['"]?|@import\s+['"])\s*([^'")\s]+)`)
	// cidRe matches a cid: URL (RFC 2392).
	cidRe = regexp.MustCompile(`(?i)\bcid:([^\s"'()<>]+)`)
)

// loadAttrs are the attributes through which HTML loads a resource (href
// only counts on <link>; on <a> and <area> it is a link, not a load).
var loadAttrs = map[string]bool{
	"src": true, "srcset": true, "background": true, "poster": true, "data": true,
	"dynsrc": true, "lowsrc": true, "href": true,
}

// html serves GET /api/v1/messages/{id}/html: the HTML body for the
// preview iframe, cid: references rewritten to this message's part URLs,
// under the sandbox CSP (remote images, styles and fonts allowed only with
// ?remote=1). X-Intray-Remote-Blocked says how many remote resources the
// HTML refers to that the policy blocks (0 with ?remote=1).
func (h *Handler) html(w http.ResponseWriter, r *http.Request) {
	e, ok := h.entry(w, r)
	if !ok {
		return
	}
	tree := e.Msg.Tree()
	b := tree.Bodies(e.Msg.Raw)
	if b.HTMLPart == nil {
		writeError(w, http.StatusNotFound, "message %s has no HTML body", e.Msg.ID)
		return
	}
	remote := r.URL.Query().Get("remote") == "1"
	blocked := 0
	if !remote {
		blocked = countRemote(b.HTML)
	}
	setSandboxHeaders(w, r)
	hd := w.Header()
	hd.Set("Content-Security-Policy", sandboxPolicy(r, remote))
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("X-Intray-Remote-Blocked", strconv.Itoa(blocked))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write([]byte(rewriteCID(b.HTML, tree, e.Msg.ID)))
	}
}

// rewriteCID replaces every cid: URL that names a part of the message by
// that part's URL. Unknown content IDs are left alone (the CSP blocks them).
func rewriteCID(body string, tree *mimepart.Part, msgID string) string {
	if !strings.Contains(strings.ToLower(body), "cid:") {
		return body
	}
	ids := map[string]string{} // lower-case Content-ID -> part ID
	tree.Walk(func(p *mimepart.Part) bool {
		if p.ContentID != "" && p.ID != "" {
			ids[strings.ToLower(p.ContentID)] = p.ID
		}
		return true
	})
	base := "/api/v1/messages/" + url.PathEscape(msgID) + "/parts/"
	return cidRe.ReplaceAllStringFunc(body, func(m string) string {
		cid := html.UnescapeString(m[len("cid:"):])
		if u, err := url.PathUnescape(cid); err == nil {
			cid = u
		}
		if id, ok := ids[strings.ToLower(strings.Trim(cid, "<>"))]; ok {
			return base + id
		}
		return m
	})
}

// countRemote counts the remote resources an HTML body would load: tag
// attributes that load (src, srcset, background, poster, <link href>, ...)
// and CSS url() and @import references whose URL is http(s) or
// protocol-relative.
func countRemote(body string) int {
	n := 0
	for _, t := range tagRe.FindAllStringSubmatch(body, -1) {
		tag := strings.ToLower(t[1])
		for _, a := range attrRe.FindAllStringSubmatch(t[2], -1) {
			name := strings.ToLower(a[1])
			if !loadAttrs[name] || (name == "href" && tag != "link") {
				continue
			}
			if isRemote(unquote(a[2])) {
				n++
			}
		}
	}
	for _, m := range cssURLRe.FindAllStringSubmatch(html.UnescapeString(body), -1) {
		if isRemote(m[1]) {
			n++
		}
	}
	return n
}

// unquote returns an attribute value without quotes, entities decoded.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		v = v[1 : len(v)-1]
	}
	return strings.TrimSpace(html.UnescapeString(v))
}

// isRemote reports whether a URL (or, for srcset, any of its URLs) points
// off this server: http:, https: or protocol-relative.
func isRemote(u string) bool {
	u = strings.ToLower(strings.TrimSpace(u))
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "//") ||
		strings.Contains(u, ", http://") || strings.Contains(u, ", https://") || strings.Contains(u, ", //")
}

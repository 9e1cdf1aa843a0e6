package webui

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// hostPolicy is the Host-header allowlist beyond the built-in names.
type hostPolicy struct {
	any      bool            // "*" was given
	exact    map[string]bool // lower-case names
	suffixes []string        // ".example.com" entries
}

func newHostPolicy(hosts []string) (hostPolicy, error) {
	p := hostPolicy{exact: map[string]bool{}}
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		switch {
		case h == "":
		case h == "*":
			p.any = true
		case strings.HasPrefix(h, "."):
			p.suffixes = append(p.suffixes, hostName(h))
		default:
			name := hostName(h)
			if name == "" || strings.ContainsAny(h, "/?#@ ") {
				return p, fmt.Errorf("allowed host %q is not a host name", h)
			}
			p.exact[name] = true
		}
	}
	return p, nil
}

// hostName returns the lower-case host of a Host header value or
// host[:port], without port, IPv6 brackets or a trailing dot.
func hostName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// hostAllowed reports whether a request's Host names this server: empty
// (HTTP/1.0), localhost or *.localhost (RFC 6761), an IP literal (a
// rebinding attack needs a DNS name, so literals are safe), the host of the
// bound HTTP or web address, or an AllowedHosts entry.
func (h *Handler) hostAllowed(host string) bool {
	name := hostName(host)
	switch {
	case name == "", name == "localhost", strings.HasSuffix(name, ".localhost"), h.hosts.any:
		return true
	case net.ParseIP(name) != nil, h.hosts.exact[name]:
		return true
	}
	for _, s := range h.hosts.suffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	if h.cfg.Addresses != nil {
		addrs := h.cfg.Addresses()
		if u, err := url.Parse(addrs["web"]); err == nil && u.Host != "" && hostName(u.Host) == name {
			return true
		}
		if a := addrs["http"]; a != "" && hostName(a) == name {
			return true
		}
	}
	return false
}

// newCrossOriginProtection builds the check for state-changing requests
// (the standard library's Sec-Fetch-Site / Origin check), trusting
// corsOrigin unless it is empty or "*".
func newCrossOriginProtection(corsOrigin string) (*http.CrossOriginProtection, error) {
	cop := http.NewCrossOriginProtection()
	if corsOrigin != "" && corsOrigin != "*" {
		if err := cop.AddTrustedOrigin(strings.TrimSuffix(corsOrigin, "/")); err != nil {
			return nil, fmt.Errorf("cors origin: %w", err)
		}
	}
	return cop, nil
}

var errCrossOrigin = errors.New("cross-origin websocket request")

// checkOrigin rejects cross-site requests that could change state or read
// the event stream: every method but GET, HEAD and OPTIONS (through
// CrossOriginProtection), and the event stream's websocket upgrade (which
// is a GET, so its Origin is checked here). Any other request that carries
// an Upgrade header gets the CrossOriginProtection check like the rest. A
// request without Origin (curl, test suites) passes.
func (h *Handler) checkOrigin(r *http.Request) error {
	if h.cfg.CORSOrigin == "*" {
		return nil
	}
	if isEventStream(r) {
		origin := r.Header.Get("Origin")
		if origin == "" || h.corsAllowed(origin) {
			return nil
		}
		if u, err := url.Parse(origin); err == nil && strings.EqualFold(u.Host, r.Host) {
			return nil
		}
		return errCrossOrigin
	}
	return h.cop.Check(r)
}

// isEventStream reports whether r asks to open the event stream: a
// websocket upgrade of GET /api/v1/events.
func isEventStream(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Path == "/api/v1/events" &&
		strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// corsAllowed reports whether origin is the configured CORS origin.
func (h *Handler) corsAllowed(origin string) bool {
	c := h.cfg.CORSOrigin
	return c == "*" || (c != "" && strings.EqualFold(strings.TrimSuffix(c, "/"), origin))
}

// cors sets the CORS response headers for an allowed Origin and answers a
// preflight request; it reports whether the request is fully answered.
// Without Config.CORSOrigin it does nothing, so browsers keep the
// same-origin policy.
func (h *Handler) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if h.cfg.CORSOrigin == "" {
		return false
	}
	hd := w.Header()
	hd.Add("Vary", "Origin")
	if origin == "" || !h.corsAllowed(origin) {
		return false
	}
	hd.Set("Access-Control-Allow-Origin", origin)
	hd.Set("Access-Control-Expose-Headers", "Location, X-Intray-Remote-Blocked")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	hd.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
	hd.Set("Access-Control-Allow-Headers", "Content-Type")
	hd.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// Content-Security-Policies. API responses get apiCSP; the inbox gets
// appCSP (see appPolicy); captured content (/html, parts, raw) gets a
// sandbox policy (see sandboxPolicy).
const (
	apiCSP = "default-src 'none'; frame-ancestors 'none'; sandbox"
	appCSP = "default-src 'self'; script-src 'self'; style-src 'self'; " +
		"img-src 'self' data:; font-src 'self' data:; frame-src 'self'; object-src 'none'; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

// setBaseHeaders sets the headers every response carries; handlers of
// framed or embedded content override the CSP and X-Frame-Options.
func setBaseHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Content-Security-Policy", apiCSP)
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// appPolicy is the inbox's CSP: its own scripts and styles only, frames of
// its own /html, and the websocket to this host.
func appPolicy(r *http.Request) string {
	connect := "connect-src 'self'"
	if safeHost(r.Host) {
		connect += " ws://" + r.Host + " wss://" + r.Host
	}
	return appCSP + "; " + connect
}

// sandboxPolicy is the CSP for captured content: no script, no plugins,
// no forms, no remote loads (unless remote), styles inline only, framed
// only by this origin, in a sandbox with an opaque origin (no
// allow-same-origin, no allow-scripts) so it reaches no cookie, storage or
// API of the inbox. Links may open in a new, unsandboxed tab.
func sandboxPolicy(r *http.Request, remote bool) string {
	self := "'self'"
	if safeHost(r.Host) {
		scheme := "http://"
		if r.TLS != nil {
			scheme = "https://"
		}
		self += " " + scheme + r.Host // 'self' can fail to match in an opaque-origin document
	}
	load := self + " data:"
	if remote {
		load += " https: http:"
	}
	style := "'unsafe-inline'"
	if remote {
		style += " https: http:"
	}
	return "default-src 'none'; img-src " + load + "; media-src " + load + "; font-src " + load +
		"; style-src " + style + "; frame-ancestors 'self'; form-action 'none'; base-uri 'none'" +
		"; sandbox allow-popups allow-popups-to-escape-sandbox"
}

// setSandboxHeaders marks a response of captured content: the sandbox CSP
// without remote loads, framable by this origin only.
func setSandboxHeaders(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", sandboxPolicy(r, false))
	hd.Set("X-Frame-Options", "SAMEORIGIN")
	hd.Set("Cache-Control", "no-store")
	// cid: images are loaded by the sandboxed (opaque-origin) /html frame,
	// which same-origin resource policy would refuse.
	hd.Del("Cross-Origin-Resource-Policy")
}

// safeHost reports whether a Host value is plain enough to be written into
// a header (it only contains host-name, IP-literal and port characters).
func safeHost(host string) bool {
	if host == "" || len(host) > 255 {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == '-' || c == ':' || c == '[' || c == ']') {
			return false
		}
	}
	return true
}

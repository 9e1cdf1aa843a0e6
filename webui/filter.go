package webui

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"intray/memstore"
)

// Paging bounds of the list and wait calls.
const (
	defaultLimit = 50
	maxLimit     = 1000
	// maxFilterLen bounds each filter parameter; the q language is matched
	// against every stored message, so an unbounded one is a CPU lever.
	maxFilterLen = 1024
)

// listParams are the filter and page of a list, wait or delete request.
type listParams struct {
	filter        memstore.Filter
	offset, limit int
	filtered      bool // at least one filter parameter was given
}

// parseListParams reads q, to, from, subject, since, limit and offset.
// since is an RFC 3339 time or else a message ID. Empty parameters are
// ignored; bad numbers and over-long values are errors.
func parseListParams(v url.Values) (listParams, error) {
	p := listParams{limit: defaultLimit}
	fields := []struct {
		name string
		dst  *string
	}{
		{"q", &p.filter.Query}, {"to", &p.filter.To}, {"from", &p.filter.From}, {"subject", &p.filter.Subject},
	}
	for _, f := range fields {
		s := strings.TrimSpace(v.Get(f.name))
		if len(s) > maxFilterLen {
			return p, fmt.Errorf("%s: longer than %d bytes", f.name, maxFilterLen)
		}
		*f.dst = s
		p.filtered = p.filtered || s != ""
	}
	if s := strings.TrimSpace(v.Get("since")); s != "" {
		if len(s) > maxFilterLen {
			return p, fmt.Errorf("since: longer than %d bytes", maxFilterLen)
		}
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			p.filter.Since = t
		} else {
			p.filter.SinceID = s
		}
		p.filtered = true
	}
	var err error
	if p.offset, err = intParam(v, "offset", 0, 0, int(^uint(0)>>1)); err != nil {
		return p, err
	}
	if p.limit, err = intParam(v, "limit", defaultLimit, 0, maxLimit); err != nil {
		return p, err
	}
	return p, nil
}

// errParam marks a malformed query parameter.
var errParam = errors.New("bad parameter")

// intParam parses an optional integer parameter within [lo, hi].
func intParam(v url.Values, name string, def, lo, hi int) (int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%w: %s must be an integer from %d to %d", errParam, name, lo, hi)
	}
	return n, nil
}

// parseTimeout reads a wait timeout: a Go duration ("10s", "1m30s",
// "500ms") or a number of seconds ("10", "2.5"), from 0 to max.
func parseTimeout(s string, def, max time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != f {
			return 0, fmt.Errorf("%w: timeout %q is not a duration (10s) or a number of seconds", errParam, s)
		}
		if f > max.Seconds() || f < 0 {
			d = -1
		} else {
			d = time.Duration(f * float64(time.Second))
		}
	}
	if d < 0 || d > max {
		return 0, fmt.Errorf("%w: timeout must be from 0 to %v", errParam, max)
	}
	return d, nil
}
